package dev.brink.robust.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.autoattack.AutoAttackVersion;
import dev.brink.robust.autoattack.Component;
import dev.brink.robust.eval.AttackPlan;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.eval.TargetSpec;
import dev.brink.robust.train.ObjectiveSetup;
import dev.brink.robust.train.Objectives;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Fuzzes the spec texts of the command line and of checkpoints: attack specs (with -O options, --norm, --eps,
 * --target and AutoAttack's custom list) and objective specs (with a training attack). One spec per input line.
 * Any text either builds or fails with an {@link IllegalArgumentException} naming the problem, and parsing
 * allocates at most a few MB. {@link #mutatedSeeds} runs in every {@code make test} (a plain seeded mutator over
 * the seed corpus, not coverage-guided); {@code make fuzz} runs Jazzer on each target.
 */
class SpecParsersFuzzTest {
    /** Room for a range of 100,000 epsilons (the limit), each rounded through a BigDecimal. */
    private static final long BUDGET = 256L << 20;
    private static final java.lang.management.ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static List<String> lines(byte[] data) {
        return Arrays.stream(new String(data, StandardCharsets.UTF_8).split("\n", -1)).filter(l -> !l.isEmpty()).toList();
    }

    static void attacks(byte[] data) {
        List<String> lines = lines(data);
        long classes = CLASSES.getTotalLoadedClassCount(), before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            AttackPlan.plan(lines, null, Map.of());
        } catch (IllegalArgumentException expected) {
            // reported
        }
        if (!lines.isEmpty()) {
            try {
                List<String> rest = lines.subList(1, lines.size());
                AttackPlan.plan(rest.isEmpty() ? List.of("pgd") : rest, Norm.parse(lines.get(0)), AttackPlan.keyValues(List.of(lines.get(0))));
            } catch (IllegalArgumentException expected) {
                // reported
            }
        }
        for (String l : lines) {
            try {
                EpsRange.parse(l);
            } catch (IllegalArgumentException expected) {
                // reported
            }
            try {
                TargetSpec.parse(l);
            } catch (IllegalArgumentException expected) {
                // reported
            }
        }
        try {
            for (Component c : AutoAttackVersion.custom(lines)) c.attack();
        } catch (IllegalArgumentException expected) {
            // reported
        }
        check(classes, before, data);
    }

    static void objectives(byte[] data) {
        List<String> lines = lines(data);
        long classes = CLASSES.getTotalLoadedClassCount(), before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            Objectives.parseAll(lines, ObjectiveSetup.NONE);
        } catch (IllegalArgumentException expected) {
            // reported
        }
        if (lines.size() > 1) {
            try {
                Objectives.parseAll(lines.subList(1, lines.size()), new ObjectiveSetup(AttackSpec.parse(lines.get(0))));
            } catch (IllegalArgumentException expected) {
                // reported
            }
        }
        check(classes, before, data);
    }

    /** Fails when the parse allocated more than the budget (not counting a call that loaded classes: first use). */
    private static void check(long classes, long before, byte[] data) {
        long used = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (CLASSES.getTotalLoadedClassCount() == classes && used > BUDGET + 64L * data.length)
            throw new AssertionError("parsing " + data.length + " bytes of specs allocated " + used + " bytes");
    }

    @FuzzTest(maxDuration = "10m")
    void attackSpecs(byte[] data) {
        attacks(data);
    }

    @FuzzTest(maxDuration = "10m")
    void objectiveSpecs(byte[] data) {
        objectives(data);
    }

    @Test
    void mutatedSeeds() throws IOException {
        replay(mutants(seeds("attackSpecs"), 37, 1500), SpecParsersFuzzTest::attacks);
        replay(mutants(seeds("objectiveSpecs"), 41, 600), SpecParsersFuzzTest::objectives);
    }

    // ------------------------------------------------------------------ a small seeded text mutator

    private List<byte[]> seeds(String method) throws IOException {
        try {
            Path dir = Path.of(getClass().getResource(getClass().getSimpleName() + "Inputs/" + method).toURI());
            List<byte[]> out = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : s.sorted().toList()) out.add(Files.readAllBytes(f));
            }
            if (out.isEmpty()) throw new IOException("empty seed corpus " + dir);
            return out;
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("no seed corpus for " + method, e);
        }
    }

    private static final String[] TOKENS = {",", ":", "=", "eps=", "steps=", "norm=l2", "norm=l0", "label=", "restarts=", "0", "-1",
            "2147483648", "4294967297", "1e308", "NaN", "Infinity", "8/255", "1/0", "0/0", "\n", " ", "pgd", "fgsm", "trades", "\u0000"};

    private static List<byte[]> mutants(List<byte[]> seeds, long seed, int count) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder s = new StringBuilder(new String(seeds.get(r.nextInt(seeds.size())), StandardCharsets.UTF_8));
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                int at = s.length() == 0 ? 0 : r.nextInt(s.length() + 1);
                switch (r.nextInt(4)) {
                    case 0 -> s.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                    case 1 -> {
                        if (at < s.length()) s.delete(at, Math.min(s.length(), at + 1 + r.nextInt(6)));
                    }
                    case 2 -> {
                        if (at < s.length()) s.setCharAt(at, (char) (32 + r.nextInt(95)));
                    }
                    default -> s.append('\n').append(new String(seeds.get(r.nextInt(seeds.size())), StandardCharsets.UTF_8));
                }
            }
            out.add(s.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private interface Target {
        void accept(byte[] in);
    }

    private static void replay(List<byte[]> inputs, Target t) {
        for (byte[] in : inputs) {
            try {
                t.accept(in);
            } catch (Throwable e) {
                throw new AssertionError("fuzz target failed on the input (base64) " + Base64.getEncoder().encodeToString(in) + ": " + e, e);
            }
        }
    }
}
