package dev.brink.nn.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Atomic file replacement: the new content is written to a temporary file in the target's directory
 * ({@code .<name>.tmp-<16 hex digits>}), forced to disk, and then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}. Readers therefore see either the complete old file or the complete new
 * one, never a partial write, even if the process dies midway. If anything fails (the writer throws, the disk is
 * full, the rename is refused) the temporary file is deleted, the target is left untouched, and a file-system error
 * names the target ({@code "models/a.safetensors: cannot write: No space left on device"}).
 *
 * <h2>Only regular files are replaced</h2>
 * The target must be absent or a regular file. A directory, a symbolic link (even one to a regular file), a device
 * node such as {@code /dev/null}, a FIFO or a socket is refused with an error naming it, before anything is written:
 * renaming over it would turn it into a regular file (as root, {@code -o /dev/null} would have replaced the device).
 * A symbolic link is refused rather than written through so that the path given is the file that changes; give the
 * link's target to write there. The check is repeated just before the rename.
 *
 * <h2>Temporary files of killed runs</h2>
 * A process killed between creating its temporary file and the rename leaves {@code .<name>.tmp-<hex>} behind. The
 * next write of the same target removes such files when all of these hold: the name is exactly that target's
 * pattern, it is a regular file, it was last modified before the current process started, and no process holds
 * the lock that every writer takes on its temporary file while writing it (an advisory lock, released by the
 * operating system when its holder dies, {@code kill -9} included). A concurrent writer of the same target in
 * another process therefore never loses its file, and this process's own temporary files are newer than its start.
 * On a file system without locks such files are left alone.
 *
 * <p>The temporary file is created with the default permissions of the directory (not the owner-only permissions
 * of {@link Files#createTempFile}); permissions of a replaced target are not carried over. Replacing a file needs
 * write permission on its directory (the rename), not on the file.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TMP_INFIX = ".tmp-";
    private static final Pattern TMP_SUFFIX = Pattern.compile("[0-9a-f]{16}");

    private AtomicFiles() {}

    /** Writes the content of a file to an open channel positioned at 0. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the whole content to {@code channel}; may throw to abort (the target then stays as it was). */
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Replaces {@code target} atomically with what {@code writer} writes. The target's directory must exist; the
     * target must be absent or a regular file ({@link #checkReplaceable}). Stale temporary files of this target
     * left by killed processes are removed first (see the class comment).
     *
     * @throws IOException whatever the writer or the file system throws (a file-system error with a message naming
     *                     the target); the target is unchanged and no temporary file is left behind
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir))
            throw new IOException(target + ": directory " + dir + (dir != null && Files.exists(dir) ? " is not a directory" : " does not exist"));
        checkReplaceable(target);
        removeStaleTemporaries(absolute);
        Path tmp = null;
        try {
            FileChannel channel = null;
            for (int attempt = 0; channel == null; attempt++) {
                tmp = temporary(absolute);
                try {
                    channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null;
                    if (attempt >= 10) throw e;
                }
            }
            try (FileChannel ch = channel) {
                lockQuietly(ch);
                writer.write(ch);
                ch.force(true);
            }
            checkReplaceable(target);
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
            if (t instanceof IOException io && !names(io, target)) throw named(target, io);
            throw t;
        }
        syncDirectory(dir);
    }

    /**
     * Throws unless {@code target} is absent or a regular file: a directory, a symbolic link, a device, a FIFO or a
     * socket is refused with a message naming the path and what it is. Symbolic links are not followed.
     */
    public static void checkReplaceable(Path target) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isRegularFile()) return;
        throw new IOException(target + ": is " + kind(target, a) + ", not a regular file; brink writes only regular files "
                + "(it replaces them atomically), so give the path of a new or regular file");
    }

    /** What a non-regular file is, in words. */
    static String kind(Path p, BasicFileAttributes a) {
        if (a.isRegularFile()) return "a regular file";
        if (a.isDirectory()) return "a directory";
        if (a.isSymbolicLink()) {
            String to;
            try {
                to = " to " + Files.readSymbolicLink(p);
            } catch (IOException | UnsupportedOperationException e) {
                to = "";
            }
            return "a symbolic link" + to;
        }
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            switch (mode & 0170000) {
                case 0010000: return "a FIFO (named pipe)";
                case 0020000: return "a character device";
                case 0060000: return "a block device";
                case 0140000: return "a socket";
                default: break;
            }
        } catch (IOException | RuntimeException e) {
            // not a POSIX file system: fall through
        }
        return "a special file (device, FIFO or socket)";
    }

    /**
     * Checks that a temporary file can be created beside {@code target} (in its directory, which must exist) by
     * creating and deleting one: the write permission of the directory, a read-only file system and a full inode
     * table all show here, before any work.
     */
    static void probe(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path tmp = temporary(absolute);
        try {
            Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            throw new IOException(target + ": cannot create a file in " + absolute.getParent() + " (" + describe(e) + ")", e);
        }
        Files.deleteIfExists(tmp);
    }

    private static Path temporary(Path absolute) {
        byte[] r = new byte[8];
        RANDOM.nextBytes(r);
        return absolute.resolveSibling("." + absolute.getFileName() + TMP_INFIX + HexFormat.of().formatHex(r));
    }

    /** Takes the writer's lock on its temporary file where the file system supports it (see the class comment). */
    private static void lockQuietly(FileChannel ch) {
        try {
            ch.tryLock();
        } catch (IOException | RuntimeException e) {
            // no locks here: the temporary file is still protected by its age
        }
    }

    /**
     * Removes the temporary files of {@code target} that killed processes left behind (see the class comment).
     *
     * @return how many were removed
     */
    static int removeStaleTemporaries(Path target) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Instant start = ProcessHandle.current().info().startInstant().orElse(null);
        if (dir == null || start == null) return 0;
        String prefix = "." + absolute.getFileName() + TMP_INFIX;
        int removed = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && TMP_SUFFIX.matcher(n.substring(prefix.length())).matches();
        })) {
            for (Path p : ds) if (removeIfStale(p, start)) removed++;
        } catch (IOException | RuntimeException e) {
            // listing failed: leave them, the write itself goes on
        }
        return removed;
    }

    private static boolean removeIfStale(Path p, Instant processStart) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || !a.lastModifiedTime().toInstant().isBefore(processStart)) return false;
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                if (lock == null) return false; // a live writer in another process holds it
                Files.delete(p);
                return true;
            }
        } catch (IOException | OverlappingFileLockException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean names(IOException e, Path target) {
        return e instanceof ModelFileException || (e.getMessage() != null && e.getMessage().startsWith(target.toString()));
    }

    private static IOException named(Path target, IOException e) {
        return new IOException(target + ": cannot write: " + describe(e), e);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
