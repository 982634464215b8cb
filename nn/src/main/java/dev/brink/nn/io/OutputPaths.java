package dev.brink.nn.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Checks of output paths before any work, so that a run that cannot write its results fails at once rather than
 * after hours of training or attacking. What is checked is what {@link AtomicFiles#write} needs: the file is absent
 * or a regular file (not a directory, a symbolic link, a device, a FIFO), its directory is a directory (created
 * here when the command creates it anyway) in which a file can be created (checked by creating and deleting a
 * temporary file, so a read-only file system counts too). Each error names the option and the path. Space is not
 * reserved: a disk that fills up later still fails the write, with a message naming the file.
 */
public final class OutputPaths {
    private OutputPaths() {}

    /**
     * Checks an output file.
     *
     * @param option       how the user named it, for messages (e.g. {@code "-o"}, {@code "--json"}, {@code "checkpoint"})
     * @param file         the file to be written
     * @param createParent create its directory (and missing parents) when absent; otherwise a missing directory is
     *                     an error
     * @throws IOException naming the option, the path and the problem
     */
    public static void checkFile(String option, Path file, boolean createParent) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || absolute.getFileName() == null)
            throw new IOException(option + " " + file + ": not a file path");
        directory(option, file, dir, createParent);
        try {
            AtomicFiles.checkReplaceable(file);
        } catch (IOException e) {
            throw new IOException(option + " " + e.getMessage(), e);
        }
        try {
            AtomicFiles.probe(file);
        } catch (IOException e) {
            throw new IOException(option + " " + e.getMessage(), e);
        }
    }

    /**
     * Checks an output directory and the files a command will write into it.
     *
     * @param option the option that names it (e.g. {@code "--out"})
     * @param dir    the directory
     * @param create create it (and missing parents) when absent; otherwise a missing directory is an error
     * @param files  names of the files to be written in it; each must be absent or a regular file
     * @throws IOException naming the option, the path and the problem
     */
    public static void checkDirectory(String option, Path dir, boolean create, String... files) throws IOException {
        directory(option, dir, dir.toAbsolutePath(), create);
        for (String f : files) {
            try {
                AtomicFiles.checkReplaceable(dir.resolve(f));
            } catch (IOException e) {
                throw new IOException(option + " " + e.getMessage(), e);
            }
        }
        try {
            AtomicFiles.probe(dir.resolve(files.length > 0 ? files[0] : "output"));
        } catch (IOException e) {
            throw new IOException(option + " " + e.getMessage(), e);
        }
    }

    /** {@code dir} must be a directory (a symbolic link to one is fine: it is not replaced); created if asked. */
    private static void directory(String option, Path given, Path dir, boolean create) throws IOException {
        if (Files.isDirectory(dir)) return;
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            throw new IOException(option + " " + given + ": " + dir + " is " + AtomicFiles.kind(dir, a) + ", not a directory");
        }
        if (!create) throw new IOException(option + " " + given + ": directory " + dir + " does not exist");
        for (Path up = dir.getParent(); up != null; up = up.getParent()) {
            if (Files.isDirectory(up)) break;
            if (Files.exists(up, LinkOption.NOFOLLOW_LINKS)) {
                BasicFileAttributes a = Files.readAttributes(up, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                throw new IOException(option + " " + given + ": cannot create directory " + dir + ": " + up + " is "
                        + AtomicFiles.kind(up, a) + ", not a directory");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            throw new IOException(option + " " + given + ": cannot create directory " + dir + ": " + e.getFile()
                    + " is in the way (not a directory)", e);
        } catch (IOException e) {
            throw new IOException(option + " " + given + ": cannot create directory " + dir + " (" + e.getMessage() + ")", e);
        }
    }
}
