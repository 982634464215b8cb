package dev.brink.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static AtomicFiles.Writer text(String s) {
        return ch -> ch.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void createsAndReplaces() throws IOException {
        Path target = dir.resolve("model.safetensors");
        AtomicFiles.write(target, text("first"));
        assertEquals("first", Files.readString(target));
        AtomicFiles.write(target, text("second, longer"));
        assertEquals("second, longer", Files.readString(target));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void failingWriterLeavesOldFileAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "old content");
        Path[] tmp = new Path[1];
        IOException thrown = new IOException("disk full (simulated)");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            ch.write(ByteBuffer.wrap("half of the new cont".getBytes(StandardCharsets.UTF_8)));
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> temps = s.filter(p -> !p.equals(target)).toList();
                assertEquals(1, temps.size());
                tmp[0] = temps.get(0);
            }
            throw thrown;
        }));
        assertSame(thrown, e);
        assertTrue(tmp[0].getFileName().toString().startsWith(".model.safetensors.tmp-"), tmp[0].toString());
        assertEquals("old content", Files.readString(target));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void uncheckedFailureIsCleanedUpToo() throws IOException {
        Path target = dir.resolve("ckpt.safetensors");
        Files.writeString(target, "old");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, ch -> {
            ch.write(ByteBuffer.wrap(new byte[1 << 16]));
            throw new UncheckedIOException(new IOException("boom"));
        }));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("ckpt.safetensors"), listing());

        Path fresh = dir.resolve("never.safetensors");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(fresh, ch -> {
            throw new IllegalStateException("nothing written");
        }));
        assertFalse(Files.exists(fresh));
        assertEquals(List.of("ckpt.safetensors"), listing());
    }

    @Test
    void missingDirectoryIsReported() {
        Path target = dir.resolve("no/such/dir/model.safetensors");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, text("x")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
