package dev.brink.nn.fuzz;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * The seed corpus of a fuzz test: the files Jazzer's JUnit integration replays, under the test resources at
 * {@code <package>/<TestClass>Inputs/<method>/} (crashing inputs that a fuzzing run found are kept there too,
 * named {@code crash-*}, so every {@code make test} replays them).
 */
public final class Seeds {
    private Seeds() {}

    /** Every file of the seed directory of {@code test}'s fuzz test {@code method}, sorted by name; at least one. */
    public static List<byte[]> of(Class<?> test, String method) throws IOException {
        String dir = test.getSimpleName() + "Inputs/" + method;
        URL url = test.getResource(dir);
        if (url == null) throw new IOException("no seed corpus " + dir + " beside " + test.getName());
        Path p;
        try {
            p = Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(p)) {
            for (Path f : s.sorted().toList()) if (Files.isRegularFile(f)) out.add(Files.readAllBytes(f));
        }
        if (out.isEmpty()) throw new IOException("empty seed corpus " + p);
        return out;
    }

    /** Runs {@code target} on each input; a failure names the input (base64) so that it can be replayed. */
    public static void replay(List<byte[]> inputs, Target target) {
        for (byte[] in : inputs) {
            try {
                target.accept(in);
            } catch (Throwable t) {
                throw new AssertionError("fuzz target failed on the " + in.length + "-byte input (base64) "
                        + Base64.getEncoder().encodeToString(in.length > 4096 ? java.util.Arrays.copyOf(in, 4096) : in)
                        + (in.length > 4096 ? "... (first 4096 bytes)" : "") + ": " + t, t);
            }
        }
    }

    /** A fuzz target. */
    @FunctionalInterface
    public interface Target {
        void accept(byte[] input) throws Exception;
    }
}
