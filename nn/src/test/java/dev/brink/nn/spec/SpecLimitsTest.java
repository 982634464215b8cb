package dev.brink.nn.spec;

import dev.brink.engine.Generator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13, case 7: deep nesting and numbers beyond an int are clear errors, never a crash or a truncated value. */
class SpecLimitsTest {
    private static String nested(int depth) {
        StringBuilder b = new StringBuilder("{\"input\":[4],\"layers\":[");
        for (int i = 0; i < depth; i++) b.append("{\"type\":\"residual\",\"body\":[");
        for (int i = 0; i < depth; i++) b.append("]}");
        return b.append("]}").toString();
    }

    @Test
    void a2000DeepSpecIsAClearError() {
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.build(nested(2000), new Generator(0)));
        assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
        // unterminated, as the file was
        String open = "[".repeat(2000);
        SpecException e2 = assertThrows(SpecException.class, () -> ModelSpec.parse(open));
        assertTrue(e2.getMessage().contains("nested too deeply"), e2.getMessage());
    }

    @Test
    void nestingWithinTheLimitBuilds() {
        // each residual block is two levels (object, array); 90 blocks stay under MAX_DEPTH
        assertEquals(4, ModelSpec.build(nested(90), new Generator(0)).outputShape()[0]);
    }

    @Test
    void integersBeyondAnIntAreErrorsNotTruncated() {
        String[] specs = {
                "{\"input\":[4294967297],\"layers\":[]}",
                "{\"input\":[1,4,4],\"layers\":[{\"type\":\"conv2d\",\"out\":2,\"kernel\":4294967297}]}",
                "{\"input\":[1,4,4],\"layers\":[{\"type\":\"conv2d\",\"out\":2,\"kernel\":[1,4294967297]}]}",
                "{\"input\":[1,4,4],\"layers\":[{\"type\":\"maxpool2d\",\"kernel\":2,\"stride\":4294967298}]}",
                "{\"input\":[4],\"layers\":[{\"type\":\"linear\",\"out\":4294967297}]}",
                "{\"input\":[4],\"layers\":[{\"type\":\"linear\",\"out\":99999999999999999999999}]}",
        };
        for (String s : specs) {
            SpecException e = assertThrows(SpecException.class, () -> ModelSpec.build(s, new Generator(0)), s);
            assertTrue(e.getMessage().contains("2147483647"), e.getMessage());
        }
    }

    @Test
    void flatteningMoreThanAnIntOfFeaturesIsAnError() {
        String s = "{\"input\":[65536,65536,2],\"layers\":[{\"type\":\"flatten\"}]}";
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.build(s, new Generator(0)));
        assertTrue(e.getMessage().contains("8589934592 features"), e.getMessage());
    }

    @Test
    void emptyTextIsAnError() {
        assertThrows(SpecException.class, () -> ModelSpec.parse(""));
        assertThrows(SpecException.class, () -> ModelSpec.parse("   "));
    }
}
