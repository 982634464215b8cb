package dev.brink.nn.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Atomic file replacement: the new content is written to a temporary file in the target's directory
 * ({@code .<name>.tmp-<random hex>}), forced to disk, and then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}. Readers therefore see either the complete old file or the complete new
 * one, never a partial write, even if the process dies midway. If anything fails (the writer throws, the disk is
 * full, the rename is refused) the temporary file is deleted and the target is left untouched.
 *
 * <p>The temporary file is created with the default permissions of the directory (not the owner-only permissions
 * of {@link Files#createTempFile}); permissions of a replaced target are not carried over.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Writes the content of a file to an open channel positioned at 0. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the whole content to {@code channel}; may throw to abort (the target then stays as it was). */
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Replaces {@code target} atomically with what {@code writer} writes. The target's directory must exist.
     *
     * @throws IOException whatever the writer or the file system throws; the target is unchanged and no
     *                     temporary file is left behind
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir))
            throw new IOException(target + ": directory " + dir + " does not exist");
        if (Files.isDirectory(absolute))
            throw new IOException(target + ": is a directory");
        Path tmp = null;
        try {
            FileChannel channel = null;
            for (int attempt = 0; channel == null; attempt++) {
                byte[] r = new byte[8];
                RANDOM.nextBytes(r);
                tmp = dir.resolve("." + absolute.getFileName() + ".tmp-" + HexFormat.of().formatHex(r));
                try {
                    channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null;
                    if (attempt >= 10) throw e;
                }
            }
            try (FileChannel ch = channel) {
                writer.write(ch);
                ch.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (Throwable t) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    t.addSuppressed(suppressed);
                }
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /** Makes the rename durable where the platform allows fsync on a directory (Linux, macOS); ignored elsewhere. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // Windows and some file systems cannot open or sync a directory; the rename itself is still atomic.
        }
    }
}
