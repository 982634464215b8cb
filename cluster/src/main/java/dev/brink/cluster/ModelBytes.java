package dev.brink.cluster;

import dev.brink.nn.io.ModelFileException;
import dev.brink.nn.io.ModelLoader;
import dev.brink.nn.spec.SpecModel;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Brink model file's bytes, as broadcast to executors once, and loaded there with {@link ModelLoader} (which
 * checks every name, shape and dtype before reading a tensor).
 *
 * @param name   the model's name in results (the file's name without {@code .safetensors})
 * @param bytes  the file's contents
 * @param sha256 their SHA-256, hex
 */
public record ModelBytes(String name, byte[] bytes, String sha256) implements Serializable {

    /** Reads a model file, checking on the way that it loads (a broken file fails on the driver, before any task). */
    public static ModelBytes read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such model file");
        byte[] b = Files.readAllBytes(file);
        String name = file.getFileName().toString().replaceFirst("\\.safetensors$", "");
        ModelBytes m = new ModelBytes(name, b, sha256(b));
        m.load(file);
        return m;
    }

    /** The model, loaded from a temporary copy of the bytes (deleted afterwards). */
    public SpecModel load() throws IOException {
        Path tmp = Files.createTempFile("brink-model-", ".safetensors");
        try {
            Files.write(tmp, bytes);
            return load(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private SpecModel load(Path file) throws IOException {
        ModelLoader.Loaded l = ModelLoader.load(file);
        if (l.nonFinite() != null)
            throw new ModelFileException(Path.of(name), "the model is broken: " + l.nonFinite().describe() + "; no robustness measured on it would mean anything");
        return l.model();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
