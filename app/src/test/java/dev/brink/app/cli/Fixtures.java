package dev.brink.app.cli;

import dev.brink.engine.Tensor;
import dev.brink.nn.io.ModelFile;
import dev.brink.nn.io.ModelInfo;
import picocli.CommandLine;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * Small inputs written by the reliability tests (issue 13): IDX data sets with chosen labels, model files with chosen
 * weights (no training), safetensors files with crafted headers, and a way to run the CLI.
 */
final class Fixtures {
    private Fixtures() {}

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BrinkCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * An MNIST-format directory of 4x4 images: {@code train} and {@code test} samples, sample i labelled
     * {@code label(i)}, its left half bright for even labels and its right half for odd ones.
     */
    static Path idx(Path dir, int train, int test, IntUnaryOperator label) throws IOException {
        Files.createDirectories(dir);
        split(dir, "train", train, label, 1);
        split(dir, "t10k", test, label, 2);
        return dir;
    }

    private static void split(Path dir, String prefix, int n, IntUnaryOperator label, int seed) throws IOException {
        java.util.Random r = new java.util.Random(seed);
        try (DataOutputStream img = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")));
             DataOutputStream lbl = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
            img.writeInt(0x803);
            img.writeInt(n);
            img.writeInt(4);
            img.writeInt(4);
            lbl.writeInt(0x801);
            lbl.writeInt(n);
            for (int i = 0; i < n; i++) {
                int y = label.applyAsInt(i);
                lbl.writeByte(y);
                for (int p = 0; p < 16; p++) img.writeByte(((p % 4 < 2) == (y % 2 == 0) ? 200 : 30) + r.nextInt(40));
            }
        }
    }

    /** The spec of {@link #linearModel}: 1x4x4 inputs, flatten, linear to {@code outputs}. */
    static String linearSpec(int outputs) {
        return "{\"input\":[1,4,4],\"layers\":[{\"type\":\"flatten\"},{\"type\":\"linear\",\"out\":" + outputs + "}]}";
    }

    /**
     * A model file of {@link #linearSpec} whose class 0 reads the left half and class 1 the right half (it classifies
     * {@link #idx} data correctly), with {@code bias1} as the bias of class 1: NaN or infinite for a broken model.
     */
    static Path linearModel(Path file, int outputs, float bias1) throws IOException {
        float[] w = new float[outputs * 16];
        for (int k = 0; k < Math.min(outputs, 2); k++)
            for (int p = 0; p < 16; p++) w[k * 16 + p] = ((p % 4 < 2) == (k == 0)) ? 1f : -1f;
        float[] b = new float[outputs];
        if (outputs > 1) b[1] = bias1;
        Files.createDirectories(file.toAbsolutePath().getParent());
        ModelFile.save(file, Map.of("layers.1.weight", Tensor.of(w, outputs, 16), "layers.1.bias", Tensor.of(b, outputs)),
                new ModelInfo(linearSpec(outputs), ""));
        return file;
    }

    /**
     * A safetensors file with metadata {@code meta} and the given tensors ({@code name, dtype, shape...} and their
     * byte counts) whose data is never written: a sparse file, as large as declared and holding zeros.
     */
    static Path sparse(Path file, Map<String, String> meta, String entriesJson, long dataBytes) throws IOException {
        StringBuilder h = new StringBuilder("{\"__metadata__\":{");
        int i = 0;
        for (Map.Entry<String, String> e : meta.entrySet())
            h.append(i++ == 0 ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        h.append('}').append(entriesJson.isEmpty() ? "" : "," + entriesJson).append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            f.write(header);
            for (int k = header.length; k < padded; k++) f.write(' ');
            f.setLength(8L + padded + dataBytes);
        }
        return file;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
