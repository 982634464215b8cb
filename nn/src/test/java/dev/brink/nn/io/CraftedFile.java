package dev.brink.nn.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files the way an attacker would: any header, any declared sizes, and data that is only as large
 * on disk as the bytes actually written (the rest of a declared tensor is a hole of a sparse file, reading as zeros).
 * A 1.6e9-element tensor thus costs a few KB of disk.
 */
final class CraftedFile {
    private final Map<String, String> metadata;
    private final List<Object[]> entries = new ArrayList<>();

    private CraftedFile(Map<String, String> metadata) {
        this.metadata = metadata;
    }

    static CraftedFile withMetadata(Map<String, String> metadata) {
        return new CraftedFile(metadata);
    }

    /** A Brink model file of {@code spec}. */
    static CraftedFile model(String spec) {
        return withMetadata(Map.of(ModelFile.FORMAT_KEY, ModelFile.FORMAT_VERSION, ModelFile.SPEC_KEY, spec));
    }

    /** A float32 tensor with these values. */
    CraftedFile f32(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return tensor(name, "F32", shape, b.array(), values.length * 4L);
    }

    /** A tensor of {@code dtype} whose {@code bytes} bytes are a hole of the file (zeros on reading). */
    CraftedFile hole(String name, String dtype, long bytes, long... shape) {
        return tensor(name, dtype, shape, null, bytes);
    }

    private CraftedFile tensor(String name, String dtype, long[] shape, byte[] data, long bytes) {
        entries.add(new Object[] {name, dtype, shape, data, bytes});
        return this;
    }

    /** Writes the file; returns it. */
    Path write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (!metadata.isEmpty()) metadata.forEach(root.putObject(SafeTensors.METADATA_KEY)::put);
        long offset = 0;
        for (Object[] e : entries) {
            ObjectNode t = root.putObject((String) e[0]);
            t.put("dtype", (String) e[1]);
            var shape = t.putArray("shape");
            for (long d : (long[]) e[2]) shape.add(d);
            long bytes = (long) e[4];
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] header = json.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            ByteBuffer size = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            f.write(size.array());
            f.write(header);
            for (int i = header.length; i < padded; i++) f.write(' ');
            long data = 8 + padded, at = 0;
            for (Object[] e : entries) {
                if (e[3] != null) {
                    f.seek(data + at);
                    f.write((byte[]) e[3]);
                }
                at += (long) e[4];
            }
            f.setLength(data + at);
        }
        return file;
    }
}
