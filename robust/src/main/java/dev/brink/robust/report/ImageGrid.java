package dev.brink.robust.report;

import dev.brink.engine.DType;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.eval.RobustEvaluation;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A PNG grid of adversarial examples: a row of originals (captioned with the true class), then for each attack a
 * row of perturbations (amplified so the largest shown change spans the range, centred at mid-gray: darker pixels
 * went down, lighter went up; captioned with the L2 and L-inf sizes) and a row of adversarial inputs (captioned with
 * the predicted class, red where it is wrong). Images are {@code [C, H, W]} with 1 (gray) or 3 (RGB) channels in
 * [0, 1], enlarged with nearest-neighbour sampling.
 */
public final class ImageGrid {
    private ImageGrid() {}

    private static final Color WRONG = new Color(0xC62828), RIGHT = new Color(0x2E7D32), INK = new Color(0x222222);

    /**
     * @param attacks    attacked samples of one or more attacks (the same samples in the same order, as
     *                   {@link RobustEvaluation} keeps them); the originals are taken from the first
     * @param classNames names of the classes (null: the class indices)
     * @param maxColumns at most this many samples
     */
    public static BufferedImage render(List<RobustEvaluation.Adversarial> attacks, List<String> classNames, int maxColumns) {
        if (attacks.isEmpty()) throw new IllegalArgumentException("image grid: no attacks");
        Headless.ensure();
        RobustEvaluation.Adversarial first = attacks.get(0);
        int n = Math.min(maxColumns, first.size());
        int[] shape = n == 0 ? new int[] {0, 1, 8, 8} : first.x().shape();
        if (shape.length != 4 || (shape[1] != 1 && shape[1] != 3))
            throw new IllegalArgumentException("image grid: expected images [N, 1|3, H, W], got " + java.util.Arrays.toString(shape));
        int c = shape[1], h = shape[2], w = shape[3];
        int scale = Math.max(1, Math.round(84f / Math.max(h, w)));
        int cw = Math.max(w * scale, 72), ch = h * scale;
        int pad = 8, caption = 18, header = 170;
        int rows = 1 + 2 * attacks.size();
        int width = header + Math.max(n, 1) * (cw + pad) + pad;
        int height = pad + rows * (ch + caption + pad) + pad;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        float fs = 12f;

        float[] x0 = n == 0 ? new float[0] : first.x().to(DType.FLOAT32).toFloatArray();
        int d = c * h * w;
        int y = pad;
        Text.draw(g, "original", pad, y + ch / 2 + 4, fs, true, INK);
        for (int j = 0; j < n; j++) {
            int x = header + j * (cw + pad) + (cw - w * scale) / 2;
            drawImage(g, x0, j * d, c, h, w, scale, x, y, false, 1);
            Text.drawCentered(g, Text.fit(g, "y=" + name(classNames, first.labels()[j]), cw, fs, false), header + j * (cw + pad) + cw / 2, y + ch + 14, fs, false, INK);
        }
        y += ch + caption + pad;
        for (RobustEvaluation.Adversarial a : attacks) {
            float[] xa = a.size() == 0 ? new float[0] : a.x().to(DType.FLOAT32).toFloatArray();
            float[] adv = a.size() == 0 ? new float[0] : a.adversarial().to(DType.FLOAT32).toFloatArray();
            int m = Math.min(n, a.size());
            double maxAbs = 0;
            for (int i = 0; i < m * d; i++) maxAbs = Math.max(maxAbs, Math.abs(adv[i] - xa[i]));
            double amp = maxAbs > 0 ? 0.5 / maxAbs : 1;
            String label = Text.fit(g, a.label(), header - pad - 4, fs, true);
            Text.draw(g, label, pad, y + ch / 2 - 2, fs, true, INK);
            Text.draw(g, String.format(Locale.ROOT, "perturbation x%.3g", amp), pad, y + ch / 2 + 14, fs * 0.9f, false, INK);
            for (int j = 0; j < m; j++) {
                int x = header + j * (cw + pad) + (cw - w * scale) / 2;
                float[] diff = new float[d];
                double l2 = 0, linf = 0;
                for (int i = 0; i < d; i++) {
                    diff[i] = adv[j * d + i] - xa[j * d + i];
                    l2 += diff[i] * (double) diff[i];
                    linf = Math.max(linf, Math.abs(diff[i]));
                }
                drawImage(g, diff, 0, c, h, w, scale, x, y, true, amp);
                String cap = a.threat().norm() == Norm.L0 || a.threat().norm() == Norm.L1
                        ? String.format(Locale.ROOT, "%s %.3g", a.threat().norm().label(), norm(diff, a.threat().norm()))
                        : String.format(Locale.ROOT, "l2 %.2f inf %.2f", Math.sqrt(l2), linf);
                Text.drawCentered(g, Text.fit(g, cap, cw + pad - 2, fs * 0.85f, false), header + j * (cw + pad) + cw / 2, y + ch + 14, fs * 0.85f, false, INK);
            }
            y += ch + caption + pad;
            Text.draw(g, "adversarial", pad, y + ch / 2 + 4, fs, true, INK);
            for (int j = 0; j < m; j++) {
                int x = header + j * (cw + pad) + (cw - w * scale) / 2;
                drawImage(g, adv, j * d, c, h, w, scale, x, y, false, 1);
                int p = a.predicted()[j];
                boolean wrong = p >= 0 && p != a.labels()[j];
                String cap = p < 0 ? (a.success()[j] ? "fooled" : "not fooled") : "pred " + name(classNames, p);
                Text.drawCentered(g, Text.fit(g, cap, cw, fs, false), header + j * (cw + pad) + cw / 2, y + ch + 14, fs, wrong, wrong || (p < 0 && a.success()[j]) ? WRONG : RIGHT);
            }
            y += ch + caption + pad;
        }
        g.dispose();
        return img;
    }

    public static void write(Path file, List<RobustEvaluation.Adversarial> attacks, List<String> classNames, int maxColumns) throws IOException {
        Outputs.writePng(file, render(attacks, classNames, maxColumns));
    }

    private static double norm(float[] d, Norm n) {
        double s = 0;
        for (float v : d) s += n == Norm.L0 ? (v != 0 ? 1 : 0) : Math.abs(v);
        return s;
    }

    private static String name(List<String> names, int k) {
        return names != null && k >= 0 && k < names.size() ? names.get(k) : Integer.toString(k);
    }

    /** Draws one CHW image; a perturbation is shown as 0.5 + amp * d. */
    private static void drawImage(Graphics2D g, float[] v, int off, int c, int h, int w, int scale, int x, int y, boolean centered, double amp) {
        for (int r = 0; r < h; r++) {
            for (int q = 0; q < w; q++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    double val = v[off + (c == 1 ? 0 : k) * h * w + r * w + q];
                    if (centered) val = 0.5 + amp * val;
                    rgb[k] = (int) Math.round(Math.max(0, Math.min(1, val)) * 255);
                }
                g.setColor(new Color(rgb[0], rgb[1], rgb[2]));
                g.fillRect(x + q * scale, y + r * scale, scale, scale);
            }
        }
        g.setColor(new Color(0xCCCCCC));
        g.drawRect(x - 1, y - 1, w * scale + 1, h * scale + 1);
    }
}
