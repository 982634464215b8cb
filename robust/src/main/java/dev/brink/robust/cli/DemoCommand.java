package dev.brink.robust.cli;

import java.util.concurrent.Callable;

import dev.brink.robust.demo.EngineDemo;
import picocli.CommandLine.Command;

/** {@code brink demo}: runs the engine demo on the embedded CPU backend. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the engine demo (higher-order autodiff on the embedded CPU backend).")
public final class DemoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        EngineDemo.run(System.out);
        System.out.flush();
        return 0;
    }
}
