package dev.brink.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * docs/reliability.md, "model files never execute code": Brink reads models as safetensors (numbers and a JSON header)
 * and specs (JSON naming layer types of a fixed list), never as pickles or serialized objects. A PyTorch checkpoint
 * (a zip holding a pickle whose payload would run a command) is refused as what it is not, and the sources of the
 * library and the CLI hold none of the mechanisms that turn file contents into code.
 */
class NoCodeInModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void aPickledCheckpointIsRefusedUnread() throws IOException {
        Path marker = dir.resolve("pwned");
        // protocol-2 pickle: os.system("touch <marker>") on unpickling
        String cmd = "touch " + marker;
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        pkl.writeBytes(("cos\nsystem\nq\u0000X").getBytes(StandardCharsets.ISO_8859_1));
        byte[] c = cmd.getBytes(StandardCharsets.UTF_8);
        pkl.writeBytes(new byte[] {(byte) c.length, 0, 0, 0});
        pkl.writeBytes(c);
        pkl.writeBytes(new byte[] {(byte) 0x85, 'R', '.'});
        Path pt = dir.resolve("model.pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(pt))) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pkl.toByteArray());
            z.closeEntry();
        }
        Path spec = Files.writeString(dir.resolve("s.json"), Fixtures.linearSpec(2));
        for (String[] args : new String[][] {{"info", pt.toString()}, {"info", pt.toString(), "--spec", spec.toString()},
                {"import", pt.toString(), "--spec", spec.toString(), "-o", dir.resolve("out.safetensors").toString()}}) {
            Fixtures.Run r = Fixtures.run(args);
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains(pt + ": header size"), r.err());  // its zip signature read as a safetensors header size
        }
        assertFalse(Files.exists(marker));
    }

    /**
     * What turns bytes into code or objects in Java: none of it may appear in the main sources (a class named by a
     * constant of the source itself, such as the SIMD kernel the CPU backend loads when the JVM has the Vector API,
     * is not taken from any file).
     */
    private static final Pattern FORBIDDEN = Pattern.compile(
            "ObjectInputStream|readObject\\(|readUnshared\\(|XMLDecoder|enableDefaultTyping|activateDefaultTyping|@JsonTypeInfo|ScriptEngine"
                    + "|Class\\.forName\\((?!\"|[A-Z_]+[,)])|loadClass\\(|URLClassLoader|defineClass\\(|Runtime\\.getRuntime\\(\\)\\.exec|ProcessBuilder");

    @Test
    void theSourcesHoldNoDeserializationOrDynamicCode() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String module : new String[] {"engine", "kernels", "nn", "robust", "app"}) {
            Path src = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(src), src + " (the test runs in the app module)");
            try (Stream<Path> s = Files.walk(src)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++)
                        if (FORBIDDEN.matcher(lines.get(i)).find()) found.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertTrue(files > 100, "scanned " + files + " files");
        assertEquals(List.of(), found);
    }
}
