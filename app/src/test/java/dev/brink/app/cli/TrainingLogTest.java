package dev.brink.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resuming keeps the rows of the finished epochs, also from a log written before the margin columns existed. */
class TrainingLogTest {
    @TempDir
    Path dir;

    @Test
    void aLogWithoutMarginColumnsResumesWithEmptyMargins() throws IOException {
        Path f = dir.resolve("m.log.csv");
        Files.writeString(f, TrainingLog.HEADER_WITHOUT_MARGINS + "\n1,0.5,,0.8,,,0.9,1.000,0\n2,0.4,,0.85,,,0.91,1.000,0\n");
        TrainingLog log = TrainingLog.resume(f, 1);
        assertEquals(List.of("1,0.5,,0.8,,,0.9,1.000,0,,"), log.rows());
        assertEquals(TrainingLog.HEADER.split(",", -1).length, log.rows().get(0).split(",", -1).length);
    }

    @Test
    void anotherFileIsRefusedByName() throws IOException {
        Path f = dir.resolve("other.csv");
        Files.writeString(f, "a,b\n1,2\n");
        IOException e = assertThrows(IOException.class, () -> TrainingLog.resume(f, 1));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not a training log"), e.getMessage());
    }
}
