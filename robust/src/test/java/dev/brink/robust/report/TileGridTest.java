package dev.brink.robust.report;

import dev.brink.robust.report.chart.ColorScale;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TileGridTest {
    @Test
    void aSignedTileShowsItsValuesOnTheColourScale() {
        float[] v = {-1, 0, 0.5f, 1};
        BufferedImage img = new TileGrid("").tilePixels(40).row("", List.of(TileGrid.Tile.signed(v, 1, 2, 2, 1, null))).render();
        // layout: no title (top 8), empty label (header 16), tile 2x2 enlarged 20x, centred in a 60-pixel column
        int x0 = 16 + (60 - 40) / 2, y0 = 8;
        ColorScale s = ColorScale.symmetric(1);
        assertEquals(s.rgb(-1), img.getRGB(x0 + 10, y0 + 10) & 0xFFFFFF);
        assertEquals(s.rgb(0), img.getRGB(x0 + 30, y0 + 10) & 0xFFFFFF);
        assertEquals(s.rgb(0.5), img.getRGB(x0 + 10, y0 + 30) & 0xFFFFFF);
        assertEquals(s.rgb(1), img.getRGB(x0 + 30, y0 + 30) & 0xFFFFFF);
    }

    @Test
    void anImageTileShowsGrayLevels() {
        float[] v = {0, 1, 0.5f, 0.25f};
        BufferedImage img = new TileGrid(null).tilePixels(40).row("", List.of(TileGrid.Tile.image(v, 1, 2, 2, "x"))).render();
        int x0 = 26, y0 = 8;
        assertEquals(0x000000, img.getRGB(x0 + 10, y0 + 10) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(x0 + 30, y0 + 10) & 0xFFFFFF);
        assertEquals(0x808080, img.getRGB(x0 + 10, y0 + 30) & 0xFFFFFF);
        assertThrows(IllegalArgumentException.class, () -> TileGrid.Tile.image(new float[3], 1, 2, 2, "bad"));
    }
}
