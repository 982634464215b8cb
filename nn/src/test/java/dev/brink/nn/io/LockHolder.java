package dev.brink.nn.io;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A separate process for AtomicFilesTest: locks a file as a writer does, says so by creating a file, then waits. */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
            ch.lock();
            Files.createFile(Path.of(args[1]));
            Thread.sleep(60_000);
        }
    }
}
