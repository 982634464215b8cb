package dev.brink.app.demo;

import dev.brink.nn.data.Dataset;

import java.util.List;
import java.util.Random;

/**
 * A tiny image data set for the demo's quick mode and tests: 12x12 grayscale images of four classes, a bright
 * horizontal band in one of four positions on a dark noisy background. Learnable in one short epoch.
 */
public final class Synthetic {
    private Synthetic() {}

    public static final int SIZE = 12, CLASSES = 4;

    public static Dataset dataset(String name, int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * SIZE * SIZE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int y = i % CLASSES;
            labels[i] = y;
            for (int row = 0; row < SIZE; row++) {
                boolean band = row / 3 == y;
                for (int col = 0; col < SIZE; col++) {
                    int v = band ? 170 + r.nextInt(70) : r.nextInt(90);
                    px[i * SIZE * SIZE + row * SIZE + col] = (byte) v;
                }
            }
        }
        return Dataset.of(name, px, new int[] {1, SIZE, SIZE}, labels, List.of("band 0", "band 1", "band 2", "band 3"));
    }
}
