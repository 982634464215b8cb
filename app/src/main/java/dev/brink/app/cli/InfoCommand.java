package dev.brink.app.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.brink.engine.backend.Backends;
import dev.brink.nn.io.Checkpoint;
import dev.brink.nn.io.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code brink info}: runtime and backend information. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = {"Without arguments: Java runtime details and the available compute backends.",
                "With a model file: its architecture, parameter count and metadata.",
                "With plain weights and --spec (e.g. a PyTorch export): the same, after checking that the weights fit the spec."})
public final class InfoCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "A Brink model file or checkpoint (.safetensors).")
    java.nio.file.Path modelFile;

    @picocli.CommandLine.Option(names = "--spec", paramLabel = "FILE",
            description = "Spec JSON describing MODEL when it holds plain weights (e.g. exported from PyTorch); PyTorch names are mapped as in brink import.")
    java.nio.file.Path specFile;

    @picocli.CommandLine.Mixin
    ModelLoadOptions loadOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (modelFile != null) return describeModel(out);
        if (specFile != null) throw new IllegalArgumentException("--spec describes a weights file: give the file too (brink info WEIGHTS --spec SPEC)");
        Runtime rt = Runtime.getRuntime();
        out.printf("brink      %s%n", BrinkCli.version());
        out.printf("java       %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vendor"));
        out.printf("vm         %s %s%n", System.getProperty("java.vm.name"), System.getProperty("java.vm.version"));
        out.printf("os         %s %s (%s)%n",
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
        out.printf("processors %d%n", rt.availableProcessors());
        out.printf("max heap   %s%n", formatBytes(rt.maxMemory()));
        out.println("backends:");
        List<String> lines = Backends.describe();
        if (lines == null || lines.isEmpty()) {
            out.println("  (none)");
        } else {
            for (String line : lines) {
                out.println("  " + line);
            }
        }
        out.println("cpu kernels: " + dev.brink.engine.backend.cpu.CpuBackend.kernelInfo());
        describeDevices(out);
        out.flush();
        return 0;
    }

    /** Each available backend other than the CPU: its device, in the backend's own words ({@code Backend.describe()}). */
    private static void describeDevices(PrintWriter out) {
        for (var p : Backends.providers()) {
            if (p.name().equals("cpu") || p.unavailableReason() != null) continue;
            try {
                out.println(p.name() + " device: " + Backends.get(p.name()).describe());
            } catch (RuntimeException e) {
                out.println(p.name() + " device: cannot start: " + e.getMessage());
            }
        }
    }

    private int describeModel(PrintWriter out) throws java.io.IOException {
        LoadedModel m = loadOptions.load(modelFile, specFile, spec);
        SafeTensors.Header h = SafeTensors.readHeader(modelFile);
        out.printf("file        %s (%s)%n", modelFile, formatBytes(java.nio.file.Files.size(modelFile)));
        out.printf("model       %s%n", m.info().model().isEmpty() ? (specFile != null ? "(spec " + specFile + ")" : "(spec)") : TerminalText.line(m.info().model()));
        out.printf("input       %s -> output %s%n", java.util.Arrays.toString(m.model().inputShape()), java.util.Arrays.toString(m.model().outputShape()));
        out.printf("parameters  %,d in %d tensors, %d buffers%n", m.model().parameterCount(), m.model().namedParameters().size(), m.model().namedBuffers().size());
        out.println("metadata:");
        new java.util.TreeMap<>(h.metadata()).forEach((k, v) -> {
            // metadata is the file author's text: one line each, no control characters (issue 13, case 7)
            if (!k.equals("brink.spec")) out.printf("  %-20s %s%n", TerminalText.line(k), TerminalText.line(v));
        });
        if (h.metadata().containsKey(Checkpoint.EPOCH_KEY)) out.println("  (a training checkpoint: resume with brink train --resume)");
        out.println("architecture:");
        out.println(m.model().describe("  "));
        out.flush();
        return 0;
    }

    static String formatBytes(long bytes) {
        if (bytes == Long.MAX_VALUE) return "unlimited";
        if (bytes < 1024) return bytes + " B";
        double kib = bytes / 1024.0;
        if (kib < 1024) return String.format("%.1f KiB", kib);
        double mib = kib / 1024.0;
        return mib >= 1024 ? String.format("%.1f GiB", mib / 1024.0) : String.format("%.1f MiB", mib);
    }
}
