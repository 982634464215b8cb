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
        assertSame(thrown, e.getCause());
        assertTrue(e.getMessage().startsWith(target + ": cannot write: disk full (simulated)"), e.getMessage());
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

    // ------------------------------------------------------------------ issue 13, case 3: only regular files are replaced

    private static void assertRefused(Path target, String kind) {
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, text("new")));
        assertTrue(e.getMessage().startsWith(target + ": is " + kind), e.getMessage());
    }

    @Test
    void refusesADirectory() throws IOException {
        Path d = Files.createDirectory(dir.resolve("model.safetensors"));
        assertRefused(d, "a directory");
        assertTrue(Files.isDirectory(d));
        assertEquals(List.of("model.safetensors"), listing());
    }

    @Test
    void refusesASymbolicLinkAndLeavesItsTarget() throws IOException {
        Path real = dir.resolve("real.safetensors");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real);
        assertRefused(link, "a symbolic link to " + real);
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("old", Files.readString(real));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.safetensors"), dir.resolve("nowhere"));
        assertRefused(dangling, "a symbolic link");
        assertFalse(Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void refusesAFifo() throws IOException {
        Path fifo = SpecialFiles.fifo(dir.resolve("pipe.safetensors"));
        assertRefused(fifo, "a FIFO");
        assertFalse(Files.isRegularFile(fifo));
        assertEquals(List.of("pipe.safetensors"), listing());
    }

    @Test
    void refusesADeviceNode() throws IOException {
        Path dev = SpecialFiles.nullDevice(dir.resolve("null"));
        assertRefused(dev, "a character device");
        assertTrue(SpecialFiles.isCharacterDevice(dev));
        assertFalse(Files.exists(Path.of(dev + ".ckpt")));
    }

    @Test
    void aFullDiskNamesTheTarget() throws IOException {
        IOException e;
        Path target;
        if (SpecialFiles.mayMount() && SpecialFiles.mountTmpfs(Files.createDirectory(dir.resolve("tiny")), 16)) {
            try {
                target = dir.resolve("tiny/model.safetensors");
                e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
                    ByteBuffer b = ByteBuffer.allocate(1 << 20);
                    while (b.hasRemaining()) ch.write(b);
                }));
                try (Stream<Path> s = Files.list(dir.resolve("tiny"))) {
                    assertEquals(0, s.count(), "the temporary file is removed");
                }
            } finally {
                SpecialFiles.unmount(dir.resolve("tiny"));
            }
        } else {
            // no tmpfs here (not root): the channel's error as a full disk reports it
            target = dir.resolve("model.safetensors");
            e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
                throw new IOException("No space left on device");
            }));
        }
        assertTrue(e.getMessage().startsWith(target + ": cannot write: "), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    }

    // ------------------------------------------------------------------ temporary files of killed runs

    private Path stale(String name, long ageMillis) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "half a file");
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - ageMillis));
        return p;
    }

    @Test
    void staleTemporaryFilesOfTheSameTargetAreRemoved() throws IOException {
        long old = 24L * 3600 * 1000; // a day before now: before this JVM started
        Path mine = stale(".model.safetensors.tmp-0123456789abcdef", old);
        Path other = stale(".other.safetensors.tmp-0123456789abcdef", old);
        Path unlike = stale(".model.safetensors.tmp-notours", old);
        Path recent = stale(".model.safetensors.tmp-fedcba9876543210", 0);
        AtomicFiles.write(dir.resolve("model.safetensors"), text("new"));
        assertFalse(Files.exists(mine), "a killed run's temporary file of this target is removed");
        assertTrue(Files.exists(other), "another target's is kept");
        assertTrue(Files.exists(unlike), "a name outside the pattern is kept");
        assertTrue(Files.exists(recent), "one newer than this process may belong to a live writer: kept");
    }

    @Test
    void aTemporaryFileLockedByALiveWriterIsKept() throws Exception {
        Path locked = stale(".model.safetensors.tmp-00000000000000aa", 24L * 3600 * 1000);
        // another process holds the writer's lock (fcntl, as FileChannel.tryLock takes it), as a concurrent writer would
        Path ready = dir.resolve("ready");
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                locked.toString(), ready.toString()).inheritIO().start();
        try {
            for (int i = 0; i < 200 && !Files.exists(ready); i++) Thread.sleep(25);
            assertTrue(Files.exists(ready), "the lock holder did not start");
            Files.setLastModifiedTime(locked, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 24L * 3600 * 1000));
            AtomicFiles.write(dir.resolve("model.safetensors"), text("new"));
            assertTrue(Files.exists(locked), "a temporary file whose writer is alive is not removed");
        } finally {
            p.destroyForcibly().waitFor();
        }
        AtomicFiles.write(dir.resolve("model.safetensors"), text("newer"));
        assertFalse(Files.exists(locked), "once its writer is gone, it is removed");
    }
}
