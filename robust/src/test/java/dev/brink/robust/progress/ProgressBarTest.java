package dev.brink.robust.progress;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressBarTest {
    @Test
    void showsCountRateAndEta() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true), "epoch 1/2", 100, false, 10, now::get);
        now.set(20_000_000_000L); // 20 s for 25 steps of 4 items
        bar.update(25, 100, "loss 0.5");
        String line = buf.toString().trim();
        assertTrue(line.startsWith("epoch 1/2 [======>"), line);
        assertTrue(line.contains("25/100") && line.contains("loss 0.5") && line.contains("5.0/s") && line.contains("ETA 1:00"), line);
    }

    @Test
    void logModePrintsAtMostEveryIntervalAndAlwaysTheEnd() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true), "x", 10, false, 10, now::get);
        for (int i = 1; i <= 10; i++) {
            now.addAndGet(3_000_000_000L);
            bar.update(i, i, "");
        }
        String[] lines = buf.toString().trim().split("\n");
        assertEquals(4, lines.length, buf.toString()); // at 3 s, 15 s, 27 s, and the final step at 30 s
        assertTrue(lines[3].contains("10/10") && lines[3].contains("took 0:30"), lines[3]);
    }

    @Test
    void noRateBeforeATenthOfASecond() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true), "x", 4, false, 10, now::get);
        now.set(1_000); // one microsecond
        bar.update(4, 100, "");
        assertTrue(buf.toString().contains("  -/s"), buf.toString());
    }

    @Test
    void clockFormats() {
        assertEquals("0:05", ProgressBar.clock(5));
        assertEquals("1:01:01", ProgressBar.clock(3661));
        assertEquals("?", ProgressBar.clock(Double.NaN));
    }
}
