package dev.brink.robust.report;

import dev.brink.robust.report.chart.ColorScale;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A PNG grid of small pictures (weights, filters, Jacobian rows, fooling images) in labelled rows, each tile
 * captioned, enlarged with nearest-neighbour sampling. A tile is {@code [C, H, W]} values shown either as an image
 * ({@link Tile#image}: 1 or 3 channels in [0, 1]) or as signed values in a blue-white-red scale symmetric about 0
 * ({@link Tile#signed}: white is 0, one channel, or the channels' mean of a colour input). For images in general
 * and adversarial examples in particular see {@link ImageGrid}.
 */
public final class TileGrid {
    /** One picture: values {@code [C*H*W]} (channel-major), shown as an image or in a signed scale of half-width {@code scale}. */
    public record Tile(float[] values, int channels, int height, int width, boolean signed, double scale, String caption, boolean highlight) {
        public Tile {
            if (values.length != channels * height * width)
                throw new IllegalArgumentException("tile '" + caption + "': " + values.length + " values for " + channels + "x" + height + "x" + width);
            if (!signed && channels != 1 && channels != 3) throw new IllegalArgumentException("tile '" + caption + "': an image needs 1 or 3 channels, got " + channels);
        }

        /** An image in [0, 1] (gray or RGB). */
        public static Tile image(float[] v, int c, int h, int w, String caption) {
            return new Tile(v, c, h, w, false, 1, caption, false);
        }

        /** Signed values, white at 0, full colour at +-{@code scale} (NaN or non-positive: the tile's largest magnitude). */
        public static Tile signed(float[] v, int c, int h, int w, double scale, String caption) {
            if (!(scale > 0)) {
                scale = 0;
                for (float x : v) scale = Math.max(scale, Math.abs(x));
            }
            return new Tile(v, c, h, w, true, scale, caption, false);
        }

        /** The same tile with a red frame (e.g. the true class). */
        public Tile highlighted() {
            return new Tile(values, channels, height, width, signed, scale, caption, true);
        }
    }

    private record Row(String label, List<Tile> tiles) {}

    private final String title;
    private final List<Row> rows = new ArrayList<>();
    private int pixels = 84;

    public TileGrid(String title) {
        this.title = title;
    }

    /** Adds a row of tiles with a label at its left. */
    public TileGrid row(String label, List<Tile> tiles) {
        rows.add(new Row(label, List.copyOf(tiles)));
        return this;
    }

    /** Target size in pixels of a tile's longer side (default 84). */
    public TileGrid tilePixels(int p) {
        if (p < 8) throw new IllegalArgumentException("tile size must be at least 8 pixels, got " + p);
        pixels = p;
        return this;
    }

    public int rowCount() {
        return rows.size();
    }

    public BufferedImage render() {
        Headless.ensure();
        int maxH = 1, maxW = 1, cols = 1;
        for (Row r : rows) {
            cols = Math.max(cols, r.tiles().size());
            for (Tile t : r.tiles()) { maxH = Math.max(maxH, t.height()); maxW = Math.max(maxW, t.width()); }
        }
        int scale = Math.max(1, Math.round((float) pixels / Math.max(maxH, maxW)));
        int cw = Math.max(maxW * scale, 60), ch = maxH * scale, pad = 8, caption = 16, fs = 12;
        int header = 0;
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        for (Row r : rows) header = Math.max(header, Math.min(200, Text.width(pg, r.label(), fs, true) + 2 * pad));
        int titleWidth = title == null || title.isEmpty() ? 0 : Math.min(1200, Text.width(pg, title, 14f, true) + 2 * pad);
        pg.dispose();
        int top = title == null || title.isEmpty() ? pad : 30;
        int width = Math.max(header + cols * (cw + pad) + pad, titleWidth);
        int height = top + rows.size() * (ch + caption + pad) + pad;
        BufferedImage img = new BufferedImage(width, Math.max(height, 20), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        Color ink = new Color(0x222222);
        if (top > pad) Text.draw(g, Text.fit(g, title, width - 2 * pad, 14f, true), pad, 20, 14f, true, ink);
        int y = top;
        for (Row r : rows) {
            Text.draw(g, Text.fit(g, r.label(), header - pad, fs, true), pad, y + ch / 2 + 4, fs, true, ink);
            for (int j = 0; j < r.tiles().size(); j++) {
                Tile t = r.tiles().get(j);
                int x = header + j * (cw + pad) + (cw - t.width() * scale) / 2;
                draw(g, t, scale, x, y + (ch - t.height() * scale) / 2);
                if (t.caption() != null)
                    Text.drawCentered(g, Text.fit(g, t.caption(), cw + pad - 2, fs * 0.9f, false), header + j * (cw + pad) + cw / 2, y + ch + 13, fs * 0.9f, t.highlight(), t.highlight() ? new Color(0xC62828) : ink);
            }
            y += ch + caption + pad;
        }
        g.dispose();
        return img;
    }

    private static void draw(Graphics2D g, Tile t, int scale, int x, int y) {
        int c = t.channels(), h = t.height(), w = t.width(), hw = h * w;
        ColorScale s = t.signed() ? ColorScale.symmetric(t.scale()) : null;
        float[] v = t.values();
        for (int r = 0; r < h; r++)
            for (int q = 0; q < w; q++) {
                Color col;
                if (s != null) {
                    double m = 0;
                    for (int k = 0; k < c; k++) m += v[k * hw + r * w + q];
                    col = s.color(m / c);
                } else {
                    int[] rgb = new int[3];
                    for (int k = 0; k < 3; k++) rgb[k] = (int) Math.round(Math.max(0, Math.min(1, v[(c == 1 ? 0 : k) * hw + r * w + q])) * 255);
                    col = new Color(rgb[0], rgb[1], rgb[2]);
                }
                g.setColor(col);
                g.fillRect(x + q * scale, y + r * scale, scale, scale);
            }
        g.setColor(t.highlight() ? new Color(0xC62828) : new Color(0xBBBBBB));
        g.drawRect(x - 1, y - 1, w * scale + 1, h * scale + 1);
    }
}
