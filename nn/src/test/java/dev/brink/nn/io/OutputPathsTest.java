package dev.brink.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13, case 5: output paths are checked before any work, each error naming the option and the path. */
class OutputPathsTest {
    @TempDir
    Path dir;

    private String fails(Path file, boolean create) {
        return assertThrows(IOException.class, () -> OutputPaths.checkFile("-o", file, create)).getMessage();
    }

    @Test
    void aNewOrRegularFileInADirectoryPasses() throws IOException {
        assertDoesNotThrow(() -> OutputPaths.checkFile("-o", dir.resolve("new.safetensors"), false));
        Files.writeString(dir.resolve("old.safetensors"), "x");
        assertDoesNotThrow(() -> OutputPaths.checkFile("-o", dir.resolve("old.safetensors"), false));
        assertEquals("x", Files.readString(dir.resolve("old.safetensors")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("old.safetensors"), s.map(p -> p.getFileName().toString()).toList(), "the probe leaves nothing");
        }
    }

    @Test
    void missingParentsAreCreatedOnlyWhenAsked() throws IOException {
        Path f = dir.resolve("a/b/model.safetensors");
        assertTrue(fails(f, false).contains("does not exist"));
        OutputPaths.checkFile("-o", f, true);
        assertTrue(Files.isDirectory(dir.resolve("a/b")));
    }

    @Test
    void aDirectoryAsTheFileIsAnError() throws IOException {
        Files.createDirectory(dir.resolve("models"));
        String m = fails(dir.resolve("models"), true);
        assertTrue(m.startsWith("-o " + dir.resolve("models") + ": is a directory"), m);
    }

    @Test
    void aFileInTheWayOfTheDirectoryIsAnError() throws IOException {
        Files.writeString(dir.resolve("plain"), "x");
        String m = fails(dir.resolve("plain/model.safetensors"), true);
        assertTrue(m.contains("is a regular file, not a directory"), m);
        String m2 = fails(dir.resolve("plain/sub/model.safetensors"), true);
        assertTrue(m2.contains("plain") && m2.contains("not a directory"), m2);
    }

    @Test
    void specialFilesAreErrors() throws IOException {
        Path fifo = SpecialFiles.fifo(dir.resolve("fifo"));
        assertTrue(fails(fifo, false).contains("is a FIFO"));
        Path dev = SpecialFiles.nullDevice(dir.resolve("null"));
        assertTrue(fails(dev, false).contains("is a character device"));
        assertTrue(SpecialFiles.isCharacterDevice(dev));
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
        assertTrue(fails(link, false).contains("is a symbolic link to " + dir.resolve("target")));
    }

    @Test
    void aDirectoryWhereNoFileCanBeCreatedIsAnError() throws IOException {
        // /proc refuses new files even to root; elsewhere a directory without write permission does
        Path ro = Path.of("/proc");
        if (!Files.isDirectory(ro)) {
            ro = Files.createDirectory(dir.resolve("ro"));
            assertTrue(ro.toFile().setWritable(false, false));
        }
        Path target = ro.resolve("model.safetensors");
        String m = fails(target, false);
        assertTrue(m.startsWith("-o " + target + ": cannot create a file in " + ro), m);
    }

    @Test
    void outputDirectoriesAndTheirFiles() throws IOException {
        Path out = dir.resolve("reports/attack");
        OutputPaths.checkDirectory("--out", out, true, "results.json", "index.html");
        assertTrue(Files.isDirectory(out));
        Files.createDirectory(out.resolve("index.html"));
        IOException e = assertThrows(IOException.class, () -> OutputPaths.checkDirectory("--out", out, true, "results.json", "index.html"));
        assertTrue(e.getMessage().startsWith("--out " + out.resolve("index.html") + ": is a directory"), e.getMessage());
        Files.writeString(dir.resolve("file"), "x");
        IOException e2 = assertThrows(IOException.class, () -> OutputPaths.checkDirectory("--out", dir.resolve("file"), true));
        assertTrue(e2.getMessage().contains("not a directory"), e2.getMessage());
        assertFalse(Files.isDirectory(dir.resolve("file")));
    }
}
