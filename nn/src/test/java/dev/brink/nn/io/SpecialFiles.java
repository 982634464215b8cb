package dev.brink.nn.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Special files for the tests of issue 13, case 3: a FIFO, a character device, a small full file system. Made
 * with the system's tools (mkfifo, mknod, mount); each helper says when the machine cannot make one.
 */
public final class SpecialFiles {
    private SpecialFiles() {}

    /** Runs a command; true when it exited 0. */
    public static boolean run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A FIFO at {@code p} (mkfifo). */
    public static Path fifo(Path p) throws IOException {
        if (!run("mkfifo", p.toString())) throw new IOException("mkfifo " + p + " failed");
        return p;
    }

    /**
     * A character device equal to /dev/null: made at {@code p} with mknod where that is allowed (root), else
     * /dev/null itself, which a process that cannot mknod cannot replace either (so a regression cannot harm the
     * machine's /dev/null).
     */
    public static Path nullDevice(Path p) {
        if (run("mknod", p.toString(), "c", "1", "3")) return p;
        return Path.of("/dev/null");
    }

    /** Whether {@code p} is still a character device (not replaced by a regular file). */
    public static boolean isCharacterDevice(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0020000;
    }

    /** True when this process is root (and may mount a small file system for the full-disk tests). */
    public static boolean mayMount() {
        return "root".equals(System.getProperty("user.name")) && Files.isRegularFile(Path.of("/proc/mounts"));
    }

    /** Mounts a tmpfs of {@code kib} KiB at {@code dir}; true on success. */
    public static boolean mountTmpfs(Path dir, int kib) {
        return run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString());
    }

    /** Unmounts {@code dir} (lazily, so a test's open file cannot keep it busy). */
    public static void unmount(Path dir) {
        run("umount", "-l", dir.toString());
    }
}
