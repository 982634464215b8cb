package dev.brink.nn.fuzz;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the parser fuzz tests share: an allocation budget (a parser may allocate what the input's bytes justify,
 * never more), scratch files for parsers that read paths, and a seeded byte-mutation loop that runs in every
 * {@code make test} (Jazzer's JUnit mode fuzzes only under {@code JAZZER_FUZZ=1}, i.e. {@code make fuzz}; without
 * it a {@code @FuzzTest} replays its seed corpus, and this loop adds a few hundred mutated inputs per target).
 */
public final class FuzzSupport {
    private FuzzSupport() {}

    /** A parse step that may throw the parser's documented exceptions. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Runs {@code step} and fails with an {@link AssertionError} when this thread allocated more than
     * {@code budget} bytes meanwhile (garbage included). Under the heap cap of {@code make fuzz} a larger
     * allocation fails as an {@link OutOfMemoryError} first; under {@code make test}'s larger heap this check
     * catches it.
     */
    public static void withinAllocation(long budget, String what, Step step) throws Exception {
        long classes = CLASSES.getTotalLoadedClassCount();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            step.run();
        } finally {
            long used = THREADS.getCurrentThreadAllocatedBytes() - before;
            // Loading (and, under Jazzer, instrumenting) classes for the first time allocates in this thread too:
            // such a call is not held to the budget; the same input runs again later without it.
            boolean loaded = CLASSES.getTotalLoadedClassCount() != classes;
            if (before >= 0 && !loaded && used > budget)
                throw new AssertionError(what + " allocated " + used + " bytes, over its budget of " + budget + " bytes");
        }
    }

    private static final java.lang.management.ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();

    private static final ThreadLocal<Path> SCRATCH = new ThreadLocal<>();

    /**
     * A directory for this thread's scratch files, made once per thread (in /dev/shm where it exists, so that a
     * fuzzing run does not wear a disk) and removed when the JVM exits.
     */
    public static Path scratchDir() throws IOException {
        Path d = SCRATCH.get();
        if (d == null) {
            Path shm = Path.of("/dev/shm");
            d = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "brink-fuzz")
                    : Files.createTempDirectory("brink-fuzz");
            SCRATCH.set(d);
            Path dir = d;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        }
        return d;
    }

    /** Writes {@code data} to the scratch file {@code name} (replacing it) and returns its path. */
    public static Path write(String name, byte[] data) throws IOException {
        Path f = scratchDir().resolve(name);
        Files.createDirectories(f.getParent());
        Files.write(f, data);
        return f;
    }

    /** Deletes a tree, quietly (scratch clean-up). */
    public static void deleteTree(Path root) {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // scratch space: nothing to do
        }
    }

    /**
     * {@code count} mutants of the seeds, deterministic in {@code seed}: bit flips, random and boundary bytes
     * (0, 0x7f, 0x80, 0xff and 32-bit boundary values in both byte orders), inserted, deleted, duplicated and
     * truncated runs, splices of two seeds, and for text inputs digit runs replaced by large or negative numbers.
     * This is a plain random mutator, not coverage-guided: {@code make fuzz} runs Jazzer for that.
     */
    public static List<byte[]> mutants(List<byte[]> seeds, long seed, int count) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
            int rounds = 1 + r.nextInt(4);
            for (int k = 0; k < rounds; k++) b = mutate(b, seeds, r);
            out.add(b);
        }
        return out;
    }

    private static final String[] NUMBERS = {"0", "-1", "1", "2147483647", "2147483648", "4294967297", "-2147483649",
            "9223372036854775807", "99999999999999999999", "1e308", "1e-400", "1.5", "NaN", "65536", "46341"};

    private static byte[] mutate(byte[] b, List<byte[]> seeds, Random r) {
        int n = b.length;
        switch (r.nextInt(10)) {
            case 0 -> {
                if (n > 0) b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> {
                if (n > 0) b[r.nextInt(n)] = (byte) r.nextInt(256);
            }
            case 2 -> {
                if (n > 0) {
                    int[] special = {0, 0x7f, 0x80, 0xff};
                    b[r.nextInt(n)] = (byte) special[r.nextInt(special.length)];
                }
            }
            case 3 -> {
                if (n >= 4) {
                    int[] values = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x10000, 0x7fff, 1 << 30};
                    int v = values[r.nextInt(values.length)], at = r.nextInt(n - 3);
                    boolean little = r.nextBoolean();
                    for (int j = 0; j < 4; j++) b[at + j] = (byte) (little ? v >>> (8 * j) : v >>> (8 * (3 - j)));
                }
            }
            case 4 -> {
                int at = r.nextInt(n + 1), len = 1 + r.nextInt(16);
                byte[] c = new byte[n + len];
                System.arraycopy(b, 0, c, 0, at);
                for (int j = 0; j < len; j++) c[at + j] = (byte) r.nextInt(256);
                System.arraycopy(b, at, c, at + len, n - at);
                return c;
            }
            case 5 -> {
                if (n > 0) {
                    int at = r.nextInt(n), len = Math.min(n - at, 1 + r.nextInt(Math.max(1, n / 4)));
                    byte[] c = new byte[n - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, n - at - len);
                    return c;
                }
            }
            case 6 -> {
                return java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n));
            }
            case 7 -> {
                byte[] o = seeds.get(r.nextInt(seeds.size()));
                int cut = r.nextInt(n + 1), from = r.nextInt(o.length + 1);
                byte[] c = new byte[cut + o.length - from];
                System.arraycopy(b, 0, c, 0, cut);
                System.arraycopy(o, from, c, cut, o.length - from);
                return c;
            }
            case 8 -> {
                if (n > 0 && n < 1 << 20) {
                    int at = r.nextInt(n), len = Math.min(n - at, 1 + r.nextInt(64));
                    byte[] c = new byte[n + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, n - at);
                    return c;
                }
            }
            default -> {
                return replaceNumber(b, r);
            }
        }
        return b;
    }

    /** Replaces one run of ASCII digits with a boundary number (for JSON and spec text). */
    private static byte[] replaceNumber(byte[] b, Random r) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < b.length; ) {
            if (b[i] >= '0' && b[i] <= '9') {
                int j = i;
                while (j < b.length && b[j] >= '0' && b[j] <= '9') j++;
                runs.add(new int[] {i, j});
                i = j;
            } else i++;
        }
        if (runs.isEmpty()) return b;
        int[] run = runs.get(r.nextInt(runs.size()));
        byte[] num = NUMBERS[r.nextInt(NUMBERS.length)].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] c = new byte[b.length - (run[1] - run[0]) + num.length];
        System.arraycopy(b, 0, c, 0, run[0]);
        System.arraycopy(num, 0, c, run[0], num.length);
        System.arraycopy(b, run[1], c, run[0] + num.length, b.length - run[1]);
        return c;
    }
}
