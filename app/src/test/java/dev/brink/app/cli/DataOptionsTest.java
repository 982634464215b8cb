package dev.brink.app.cli;

import dev.brink.nn.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --limit and --sample on an image folder laid out like the CIFAR-10 JPEG tree (per-class numbered files): a
 * limited split must hold every class, whichever way it is drawn.
 */
class DataOptionsTest {
    @TempDir
    Path tmp;

    private Path tree() throws IOException {
        for (String split : new String[] {"train", "test"})
            for (String c : new String[] {"airplane", "bird", "cat"})
                for (int i = 0; i < 8; i++) {
                    Path f = tmp.resolve("set/" + split + "/" + c + "/" + String.format("%04d", i) + ".png");
                    Files.createDirectories(f.getParent());
                    ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", f.toFile());
                }
        return tmp.resolve("set");
    }

    private static DataOptions parse(String... args) {
        DataOptions d = new DataOptions();
        new CommandLine(new Object() {
            @CommandLine.Mixin
            DataOptions opts = d;
        }).parseArgs(args);
        return d;
    }

    @Test
    void aLimitedSplitHoldsEveryClass() throws IOException {
        Path set = tree();
        Dataset first = parse("--data", set.toString(), "--limit", "6").load(false);
        assertArrayEquals(new int[] {2, 2, 2}, first.classCounts(), "first 6: " + Arrays.toString(first.labels()));
        Dataset three = parse("--data", set.toString(), "--limit", "3").load(true);
        assertEquals(3, Arrays.stream(three.classCounts()).filter(c -> c > 0).count(), Arrays.toString(three.labels()));
        Dataset balanced = parse("--data", set.toString(), "--limit", "9", "--sample", "balanced", "--sample-seed", "4").load(true);
        assertArrayEquals(new int[] {3, 3, 3}, balanced.classCounts());
        assertEquals(List.of("--data", set.toString(), "--limit", "9", "--sample", "balanced", "--sample-seed", "4"),
                parse("--data", set.toString(), "--limit", "9", "--sample", "balanced", "--sample-seed", "4").args());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--data", set.toString(), "--limit", "3", "--sample", "random").load(true));
        assertTrue(e.getMessage().contains("random"), e.getMessage());
    }
}
