package dev.brink.app.demo;

import dev.brink.nn.data.Dataset;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a grayscale data set as an image folder, {@code root/<class>/<index>.png}, so that command lines can read
 * what the quick demo used: the numeric names are unique indices, so the image-folder reader gives back the
 * samples in this order.
 */
final class SyntheticFolder {
    private SyntheticFolder() {}

    static void write(Dataset d, Path root) throws IOException {
        if (d.channels() != 1) throw new IllegalArgumentException(d.name() + ": only grayscale sets are written, got " + d.channels() + " channels");
        int h = d.height(), w = d.width();
        for (int i = 0; i < d.size(); i++) {
            byte[] px = d.sampleBytes(i);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, w, h, px);
            Path f = root.resolve(d.classes().get(d.label(i))).resolve(String.format("%05d.png", i));
            Files.createDirectories(f.getParent());
            if (!ImageIO.write(img, "png", f.toFile())) throw new IOException(f + ": no PNG writer");
        }
    }
}
