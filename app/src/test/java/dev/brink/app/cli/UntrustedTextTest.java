package dev.brink.app.cli;

import dev.brink.app.cli.Fixtures.Run;
import dev.brink.app.vectors.ModelVectorCheck;
import dev.brink.engine.Tensor;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.brink.app.cli.Fixtures.run;
import static org.junit.jupiter.api.Assertions.*;

/** Issue 13, case 7 through the commands: control characters, directories given as files, --width 0, link loops. */
class UntrustedTextTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void setUp() throws IOException {
        data = dir.resolve("toy");
        Files.createDirectories(data);
        Fixtures.idx(data, 40, 20, i -> i % 2);
    }

    private static Map<String, Tensor> weights() {
        Map<String, Tensor> st = new TreeMap<>();
        st.put("layers.1.weight", Tensor.of(new float[6 * 16], 6, 16));
        st.put("layers.1.bias", Tensor.of(new float[6], 6));
        st.put("layers.3.weight", Tensor.of(new float[12], 2, 6));
        st.put("layers.3.bias", Tensor.of(new float[2], 2));
        return st;
    }

    private static void assertNoControlCharacters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '\n' || c == '\t' || (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n')
                    || !(c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e));
            assertTrue(ok, String.format("control character U+%04X at %d in: %s", (int) c, i, s.replace('\u001b', '^')));
        }
    }

    @Test
    void infoEscapesControlCharactersFromMetadata() throws IOException {
        Path m = dir.resolve("evil.safetensors");
        String evil = "\u001b]0;owned\u0007\u001b[2J\u001b[1;1Hall good\rfake: line\nbrink.fake   \u009b31m\u202eexe.txt";
        ModelFile.save(m, weights(), new ModelInfo(OutputSafetyTest.SPEC, "zoo\u001b[31mname",
                Map.of("brink.note", evil, "brink.\u001b[8mhidden", "v")));
        Run r = run("info", m.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertNoControlCharacters(r.out());
        assertTrue(r.out().contains("\\u001b]0;owned\\u0007\\u001b[2J"), r.out());
        assertTrue(r.out().contains("all good\\u000dfake: line\\u000abrink.fake"), "one line per entry: " + r.out());
        assertTrue(r.out().contains("\\u009b31m\\u202eexe.txt"), r.out());
        assertTrue(r.out().contains("brink.\\u001b[8mhidden"), r.out());
        assertTrue(r.out().contains("zoo\\u001b[31mname"), r.out());
    }

    @Test
    void errorMessagesQuotingAFileAreEscapedToo() throws IOException {
        Path m = dir.resolve("evil-spec.safetensors");
        String spec = "{\"input\":[1,4,4],\"layers\":[{\"type\":\"\\u001b[2Jflatten\"}]}"; // a JSON escape: the type holds ESC
        ModelFile.save(m, weights(), new ModelInfo(spec, ""));
        Run r = run("eval", m.toString(), "--data", data.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("unknown layer type '\\u001b[2Jflatten'"), r.err());
        assertNoControlCharacters(r.err());
    }

    @Test
    void jsonOnStandardOutputStaysValidAndMeansTheSame() throws IOException {
        Path m = dir.resolve("named.safetensors");
        ModelFile.save(m, weights(), new ModelInfo(OutputSafetyTest.SPEC, "a\u009bname\u202e"));
        Run r = run("eval", m.toString(), "--data", data.toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        assertNoControlCharacters(r.out());
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("a\u009bname\u202e", doc.at("/config/model/name").asText(), r.out());
    }

    @Test
    void aDirectoryGivenAsAModelSaysSo() throws IOException {
        Path d = Files.createDirectories(dir.resolve("a-model-dir.safetensors"));
        for (String cmd : List.of("eval", "info")) {
            Run r = cmd.equals("eval") ? run("eval", d.toString(), "--data", data.toString()) : run("info", d.toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains(d + ": is a directory, not a model file"), r.err());
        }
        Run t = run("attack", dir.resolve("missing.safetensors").toString(), "--data", data.toString(), "-a", "fgsm", "--eps", "0.1",
                "--out", dir.resolve("o").toString());
        assertTrue(t.err().contains("missing.safetensors: no such model file"), t.err());
    }

    @Test
    void widthZeroIsRefused() {
        for (String w : List.of("0", "-1", "NaN", "Infinity")) {
            Run r = run("train", "--model", "mlp-4x1024", "--width", w, "--data", data.toString(), "--epochs", "1",
                    "-o", dir.resolve("w.safetensors").toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("--width must be a positive number, got"), r.err());
            assertFalse(r.out().contains("loading"), r.out());
        }
        assertThrows(IllegalArgumentException.class, () -> dev.brink.nn.zoo.Zoo.Options.DEFAULT.withWidth(0));
    }

    @Test
    void vectorsCheckDoesNotFollowLinkLoops() throws IOException {
        Path root = Files.createDirectories(dir.resolve("vectors"));
        Path c = Files.createDirectories(root.resolve("sub/case1"));
        Files.writeString(c.resolve("model.json"), "{}");
        // each folder links back up twice: following links blindly is 2^depth paths until ELOOP
        for (Path p : List.of(root, root.resolve("sub"))) {
            Files.createSymbolicLink(p.resolve("loop-a"), Path.of("."));
            Files.createSymbolicLink(p.resolve("loop-b"), p.getParent());
        }
        List<Path> cases = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> ModelVectorCheck.findCases(List.of(root)));
        assertEquals(1, cases.size(), cases.toString());
        Run r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run("vectors", "check", root.toString()));
        assertTrue(r.out().contains("1 case"), r.out() + r.err());
    }

    @Test
    void theFilterKeepsLineEndsAndEscapesTheRest() {
        StringWriter s = new StringWriter();
        PrintWriter w = TerminalText.escaping(new PrintWriter(s));
        w.print("a\r\nb\tc\u001b[0m\rd\u0000");
        w.print("e\r");
        w.print("\nf");
        w.flush();
        assertEquals("a\r\nb\tc\\u001b[0m\\u000dd\\u0000e\r\nf", s.toString());
        assertEquals("x\\u000ay\\u0009z", TerminalText.line("x\ny\tz"));
    }


}
