package dev.brink.nn.io;

import dev.brink.engine.DType;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers

    /** A safetensors file: 8-byte little-endian header size, the header bytes as given, then data. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, data);
    }

    static byte[] file(long declaredHeaderSize, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderSize).put(header).put(data);
        return b.array();
    }

    static byte[] le(int bytes, long... values) {
        ByteBuffer b = ByteBuffer.allocate(bytes * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytes) {
                case 1 -> b.put((byte) v);
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                case 8 -> b.putLong(v);
                default -> throw new IllegalArgumentException();
            }
        }
        return b.array();
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    Path put(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** Reading {@code content} fails with a ModelFileException naming the file and containing {@code phrase}. */
    ModelFileException assertCorrupt(String name, byte[] content, String phrase) throws IOException {
        Path p = put(name, content);
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains(name), () -> "message lacks the file name: " + e.getMessage());
        assertTrue(e.getMessage().contains(phrase), () -> "message lacks \"" + phrase + "\": " + e.getMessage());
        assertEquals(p, e.file());
        return e;
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void roundTripsEveryDtypeAndShape() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        float[] big = new float[600_000]; // 2.4 MB: spans several 1 MiB chunks
        for (int i = 0; i < big.length; i++) big[i] = (float) Math.sin(i) * 1e3f;
        in.put("z.big", Tensor.of(big, 600, 1000));
        in.put("f32", Tensor.of(new float[] {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY}, 2, 3));
        in.put("f64", Tensor.of(new double[] {Math.PI, -1e-300, Double.MAX_VALUE, Double.MIN_VALUE}, 2, 1, 2));
        in.put("i32", Tensor.ofInts(new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, 4));
        in.put("scalar", Tensor.scalar(DType.FLOAT64, 2.5));
        in.put("empty", Tensor.of(new float[0], 0, 3));
        in.put("transposed", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1)); // not contiguous
        Map<String, String> meta = Map.of("b", "2", "a", "ünïcödé \"quoted\"\n", "empty", "");
        Path p = dir.resolve("all.safetensors");
        SafeTensors.write(p, in, meta);

        SafeTensors.Contents out = SafeTensors.read(p);
        assertEquals(List.of("empty", "f32", "f64", "i32", "scalar", "transposed", "z.big"), List.copyOf(out.tensors().keySet()));
        assertEquals(meta, out.metadata());
        for (var e : in.entrySet()) {
            Tensor a = e.getValue(), b = out.tensors().get(e.getKey());
            assertEquals(a.dtype(), b.dtype(), e.getKey());
            assertArrayEquals(a.shape(), b.shape(), e.getKey());
            switch (a.dtype()) {
                case FLOAT32 -> assertArrayEquals(a.toFloatArray(), b.toFloatArray(), e.getKey());
                case FLOAT64 -> assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), e.getKey());
                case INT32 -> assertArrayEquals(a.toIntArray(), b.toIntArray(), e.getKey());
            }
        }
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, out.tensors().get("transposed").toFloatArray());
        assertEquals(0, Files.size(p) % 8, "header padded so data starts 8-aligned and F32/F64 sizes keep it");
    }

    @Test
    void emptyFileWithoutTensorsOrMetadata() throws IOException {
        Path p = dir.resolve("none.safetensors");
        SafeTensors.write(p, Map.of(), Map.of());
        assertArrayEquals(file("{}      ", new byte[0]), Files.readAllBytes(p));
        SafeTensors.Contents c = SafeTensors.read(p);
        assertTrue(c.tensors().isEmpty());
        assertTrue(c.metadata().isEmpty());
    }

    // ------------------------------------------------------------------ the format, byte by byte

    @Test
    void writerOutputMatchesHandWrittenBytes() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("weight", Tensor.of(new float[] {1f, -2f}, 2));
        in.put("count", Tensor.ofInts(new int[] {7}, 1, 1));
        in.put("d", Tensor.scalar(DType.FLOAT64, 0.5));
        Path p = dir.resolve("pinned.safetensors");
        SafeTensors.write(p, in, Map.of("k", "v"));

        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"count\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[4,12]},"
                + "\"weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        int padded = (json.length() + 7) / 8 * 8;
        String header = json + " ".repeat(padded - json.length());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(new byte[] {7, 0, 0, 0});                         // int32 7, little-endian
        data.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xe0, 0x3f}); // float64 0.5 = 0x3FE0000000000000
        data.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f});            // float32 1.0 = 0x3F800000
        data.writeBytes(new byte[] {0, 0, 0, (byte) 0xc0});               // float32 -2.0 = 0xC0000000
        byte[] expected = file(header, data.toByteArray());
        assertEquals(padded, (int) ByteBuffer.wrap(expected, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertArrayEquals(expected, Files.readAllBytes(p));

        ByteArrayOutputStream viaChannel = new ByteArrayOutputStream();
        SafeTensors.write(Channels.newChannel(viaChannel), in, Map.of("k", "v"));
        assertArrayEquals(expected, viaChannel.toByteArray());
    }

    @Test
    void readsForeignLayout() throws IOException {
        // Metadata last, whitespace, no padding, data in a different order than the header, names unsorted.
        String header = "{ \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]},\n"
                + "  \"a\": {\"dtype\": \"I32\", \"shape\": [], \"data_offsets\": [0, 4], \"extra\": 1},\n"
                + "  \"__metadata__\": {\"format\": \"pt\"} }";
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(le(4, -3));
        data.writeBytes(f32(0.25f, 8f));
        SafeTensors.Contents c = SafeTensors.read(put("foreign.safetensors", file(header, data.toByteArray())));
        assertEquals(List.of("b", "a"), List.copyOf(c.tensors().keySet()), "header order");
        assertArrayEquals(new float[] {0.25f, 8f}, c.tensors().get("b").toFloatArray());
        assertArrayEquals(new int[] {-3}, c.tensors().get("a").toIntArray());
        assertArrayEquals(new int[0], c.tensors().get("a").shape());
        assertEquals(Map.of("format", "pt"), c.metadata());

        SafeTensors.Header h = SafeTensors.readHeader(dir.resolve("foreign.safetensors"));
        assertEquals(header.getBytes(StandardCharsets.UTF_8).length, h.headerSize());
        assertEquals("I32", h.entries().get(1).dtype());
    }

    // ------------------------------------------------------------------ conversions

    @Test
    void convertsF16AndBF16ToFloat32() throws IOException {
        // F16: 1.0, -2.0, 65504 (max), smallest subnormal 2^-24, smallest normal 2^-14, +inf, -0, 0.333251953125
        long[] half = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0x8000, 0x3555};
        // BF16: 1.0, -2.0, 3.140625, 1e38-ish (0x7e96 -> 9.9712e37), -inf
        long[] bf = {0x3f80, 0xc000, 0x4049, 0x7e96, 0xff80};
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,4],\"data_offsets\":[0,16]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[16,26]}}";
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(le(2, half));
        data.writeBytes(le(2, bf));
        SafeTensors.Contents c = SafeTensors.read(put("half.safetensors", file(header, data.toByteArray())));
        Tensor h = c.tensors().get("h"), b = c.tensors().get("bf");
        assertEquals(DType.FLOAT32, h.dtype());
        assertArrayEquals(new int[] {2, 4}, h.shape());
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, 0x1p-14f, Float.POSITIVE_INFINITY, -0f, 0.333251953125f},
                h.toFloatArray());
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(h.toFloatArray()[6]));
        assertEquals(DType.FLOAT32, b.dtype());
        assertArrayEquals(new float[] {1f, -2f, 3.140625f, Float.intBitsToFloat(0x7e960000), Float.NEGATIVE_INFINITY},
                b.toFloatArray());
    }

    @Test
    void halfConversionIsExactForEveryValue() {
        // Every finite half value, checked against an independent formula.
        for (int bits = 0; bits < 0x10000; bits++) {
            int exp = (bits >> 10) & 0x1f, mant = bits & 0x3ff;
            float got = SafeTensors.halfToFloat((short) bits);
            if (exp == 0x1f) {
                assertTrue(mant == 0 ? Float.isInfinite(got) : Float.isNaN(got), Integer.toHexString(bits));
                continue;
            }
            double magnitude = exp == 0 ? mant * Math.pow(2, -24) : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
            double want = (bits & 0x8000) != 0 ? -magnitude : magnitude;
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got), Integer.toHexString(bits));
        }
    }

    @Test
    void convertsIntegerTypesToInt32() throws IOException {
        String header = "{\"i64\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[24,26]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[26,28]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[28,30]},"
                + "\"u16\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[30,32]},"
                + "\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[32,36]},"
                + "\"u64\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[36,44]}}";
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(le(8, Integer.MIN_VALUE, -5, Integer.MAX_VALUE));
        data.writeBytes(le(1, 0xff, 3));
        data.writeBytes(le(1, -128, 127));
        data.writeBytes(le(2, -30000));
        data.writeBytes(le(2, 65535));
        data.writeBytes(le(4, 123456));
        data.writeBytes(le(8, 42));
        SafeTensors.Contents c = SafeTensors.read(put("ints.safetensors", file(header, data.toByteArray())));
        for (Tensor t : c.tensors().values()) assertEquals(DType.INT32, t.dtype());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -5, Integer.MAX_VALUE}, c.tensors().get("i64").toIntArray());
        assertArrayEquals(new int[] {255, 3}, c.tensors().get("u8").toIntArray());
        assertArrayEquals(new int[] {-128, 127}, c.tensors().get("i8").toIntArray());
        assertArrayEquals(new int[] {-30000}, c.tensors().get("i16").toIntArray());
        assertArrayEquals(new int[] {65535}, c.tensors().get("u16").toIntArray());
        assertArrayEquals(new int[] {123456}, c.tensors().get("u32").toIntArray());
        assertArrayEquals(new int[] {42}, c.tensors().get("u64").toIntArray());
    }

    @Test
    void rejectsIntegersOutsideInt32() throws IOException {
        String i64 = "{\"steps\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
        ModelFileException e = assertCorrupt("i64.safetensors", file(i64, le(8, 1, 1L << 32)), "outside the int32 range");
        assertTrue(e.getMessage().contains("'steps' (I64): element 1 is 4294967296"), e.getMessage());

        String u32 = "{\"u\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertCorrupt("u32.safetensors", file(u32, le(4, 0xffffffffL)), "element 0 is 4294967295, outside the int32 range");
        String u64 = "{\"u\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        assertCorrupt("u64.safetensors", file(u64, le(8, -1)), "element 0 is at least 2^63, outside the int32 range");
    }

    @Test
    void rejectsBoolAndExoticFloatsButCanSkipThem() throws IOException {
        String header = "{\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}";
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(new byte[] {1, 0});
        data.writeBytes(f32(3f));
        byte[] content = file(header, data.toByteArray());
        assertCorrupt("bool.safetensors", content, "tensor 'mask' has dtype BOOL, which Brink cannot load");
        SafeTensors.Contents c = SafeTensors.read(dir.resolve("bool.safetensors"), name -> !name.equals("mask"));
        assertEquals(List.of("w"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {3f}, c.tensors().get("w").toFloatArray());

        String f8 = "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[3],\"data_offsets\":[0,3]}}";
        assertCorrupt("f8.safetensors", file(f8, new byte[3]), "tensor 'q' has dtype F8_E4M3, which Brink cannot load");
    }

    // ------------------------------------------------------------------ corrupt files

    @Test
    void fileShorterThanEightBytes() throws IOException {
        assertCorrupt("short.safetensors", new byte[] {1, 2, 3}, "shorter than the 8-byte header size field");
        assertCorrupt("zero.safetensors", new byte[0], "only 0 bytes long");
    }

    @Test
    void headerSizeLargerThanFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        assertCorrupt("big.safetensors", file(1000, header, new byte[0]), "header size 1000 is larger than the 2 bytes");
        assertCorrupt("huge.safetensors", file(-1, header, new byte[0]), "header size 18446744073709551615 exceeds the limit");
    }

    @Test
    void invalidHeader() throws IOException {
        assertCorrupt("json.safetensors", file("{\"a\": {\"dtype\": ", new byte[0]), "header is not valid JSON");
        assertCorrupt("start.safetensors", file("[1, 2]", new byte[0]), "header is not valid JSON");
        assertCorrupt("trail.safetensors", file("{} {}", new byte[0]), "header is not valid JSON");
        assertCorrupt("dup.safetensors", file("{\"a\":{},\"a\":{}}", new byte[0]), "header is not valid JSON");
        assertCorrupt("utf8.safetensors", file(2, new byte[] {'{', (byte) 0xff}, new byte[0]), "header is not valid UTF-8");
        assertCorrupt("meta.safetensors", file("{\"__metadata__\":{\"n\":1}}", new byte[0]), "metadata value of \"n\" is not a string");
    }

    @Test
    void missingFields() throws IOException {
        assertCorrupt("nodtype.safetensors", file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w': missing \"dtype\"");
        assertCorrupt("noshape.safetensors", file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w': missing \"shape\"");
        assertCorrupt("nooffsets.safetensors", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]),
                "tensor 'w': missing \"data_offsets\"");
        assertCorrupt("badshape.safetensors", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "\"shape\" must hold non-negative integers");
        assertCorrupt("badoffsets.safetensors", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "\"data_offsets\" must be [begin, end]");
    }

    @Test
    void unknownDtype() throws IOException {
        assertCorrupt("dtype.safetensors", file("{\"w\":{\"dtype\":\"F24\",\"shape\":[1],\"data_offsets\":[0,3]}}", new byte[3]),
                "tensor 'w': unknown dtype \"F24\"");
    }

    @Test
    void offsetsNotMatchingShape() throws IOException {
        assertCorrupt("size.safetensors", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new byte[12]),
                "tensor 'w': data_offsets [0, 12] hold 12 bytes, but shape [2, 2] of F32 needs 16 bytes");
        assertCorrupt("reversed.safetensors", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", new byte[4]),
                "end before they begin");
    }

    @Test
    void offsetsOutsideTheBuffer() throws IOException {
        assertCorrupt("outside.safetensors", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]),
                "tensor 'w' (data_offsets [0, 8]) extends past the end of the data buffer, which holds only 4 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertCorrupt("overlap.safetensors", file(header, new byte[12]),
                "tensors 'a' (data_offsets [0, 8]) and 'b' (data_offsets [4, 12]) overlap");
    }

    @Test
    void holesInTheBuffer() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertCorrupt("hole.safetensors", file(header, new byte[12]),
                "hole in the data buffer: bytes [4, 8) belong to no tensor (before tensor 'b')");
        String first = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertCorrupt("leading.safetensors", file(first, new byte[8]), "bytes [0, 4) belong to no tensor");
    }

    @Test
    void trailingBytes() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertCorrupt("trailing.safetensors", file(header, new byte[7]), "3 bytes of trailing data after the last tensor");
    }

    @Test
    void truncatedData() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("w", Tensor.of(new float[1000], 10, 100)), Map.of());
        byte[] all = Files.readAllBytes(good);
        byte[] cut = java.util.Arrays.copyOf(all, all.length - 100);
        assertCorrupt("truncated.safetensors", cut, "data truncated: tensor 'w'");
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.readHeader(dir.resolve("truncated.safetensors")));
        assertTrue(e.getMessage().contains("extends past the end of the data buffer"));
        byte[] headerOnly = java.util.Arrays.copyOf(all, 20);
        assertCorrupt("cut-header.safetensors", headerOnly, "is larger than the 12 bytes that follow");
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("absent.safetensors");
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains("absent.safetensors: no such file"), e.getMessage());
    }

    @Test
    void writerRejectsReservedName() {
        Path p = dir.resolve("reserved.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(p, Map.of("__metadata__", Tensor.scalar(1)), Map.of()));
        assertTrue(!Files.exists(p));
    }
}
