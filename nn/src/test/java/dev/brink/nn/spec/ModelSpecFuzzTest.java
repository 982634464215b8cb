package dev.brink.nn.spec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Generator;
import dev.brink.nn.fuzz.FuzzSupport;
import dev.brink.nn.fuzz.Seeds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Fuzzes the spec language: any text either builds a model or fails with a {@link SpecException} naming the
 * problem (never a NullPointerException, an index error or a stack overflow). Parsing and validation run on every
 * input; the model is built only when every number in the spec is at most 32, so that one input cannot
 * legitimately ask for gigabytes (a spec is a description: its parameter count is checked against a file's
 * weights where it comes with them).
 */
class ModelSpecFuzzTest {
    static void parse(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        FuzzSupport.withinAllocation(64L * data.length + (256 << 20), "a " + data.length + "-byte spec", () -> {
            JsonNode spec;
            try {
                spec = ModelSpec.parse(text);
            } catch (SpecException expected) {
                return;
            }
            if (spec == null || !small(spec, 0)) return;
            try {
                SpecModel m = ModelSpec.build(spec, new Generator(1));
                m.parameterCount();
            } catch (SpecException expected) {
                // an impossible architecture, reported
            }
        });
    }

    /** True when every number in the tree is at most 32 in magnitude and the tree is at most 64 deep. */
    private static boolean small(JsonNode n, int depth) {
        if (depth > 64) return false;
        if (n.isNumber()) return Math.abs(n.asDouble()) <= 32;
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) if (!small(it.next(), depth + 1)) return false;
        return true;
    }

    @FuzzTest(maxDuration = "10m")
    void spec(byte[] data) throws Exception {
        parse(data);
    }

    @Test
    void mutatedSeeds() throws IOException {
        Seeds.replay(FuzzSupport.mutants(Seeds.of(getClass(), "spec"), 17, 1500), ModelSpecFuzzTest::parse);
    }
}
