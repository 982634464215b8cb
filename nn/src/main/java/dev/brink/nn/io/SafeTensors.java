package dev.brink.nn.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.engine.DType;
import dev.brink.engine.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format exactly as
 * Hugging Face specifies it, so files are interchangeable with PyTorch, NumPy and the {@code safetensors} library.
 *
 * <h2>Layout</h2>
 * <ol>
 *   <li>8 bytes: {@code N}, the header size in bytes, unsigned little-endian.</li>
 *   <li>{@code N} bytes: a UTF-8 JSON object
 *       {@code {"__metadata__": {"key": "value", ...}, "<name>": {"dtype": "F32", "shape": [2, 3],
 *       "data_offsets": [begin, end]}, ...}}. Metadata values are strings. Trailing spaces pad the header.</li>
 *   <li>The data buffer: every tensor's elements, row-major and little-endian, at {@code [begin, end)} bytes
 *       relative to the buffer's start. Tensors are contiguous and cover the buffer exactly: no overlaps, no holes,
 *       nothing after the last tensor.</li>
 * </ol>
 *
 * <h2>What this class writes</h2>
 * Tensors in ascending name order, packed from offset 0; {@code __metadata__} first (omitted when empty) with its
 * keys sorted; compact JSON padded with spaces so that {@code N} (and hence the data start) is a multiple of 8.
 * {@link DType#FLOAT32} is written as {@code F32}, {@link DType#FLOAT64} as {@code F64}, {@link DType#INT32} as
 * {@code I32}. Equal inputs therefore give byte-identical files. Writes to a {@link Path} are atomic
 * ({@link AtomicFiles}).
 *
 * <h2>What this class reads</h2>
 * {@code F32}, {@code F64} and {@code I32} as is; {@code F16} and {@code BF16} converted exactly to float32;
 * the integer types {@code U8}, {@code I8}, {@code U16}, {@code I16} widened losslessly to int32; {@code U32},
 * {@code I64} and {@code U64} narrowed to int32 after checking that every element fits. {@code BOOL}, the 8-, 6-
 * and 4-bit floats and {@code C64} are rejected with a message naming the tensor and dtype (a bool mask or a
 * complex tensor has no faithful Brink representation). Every structural defect is reported as a
 * {@link ModelFileException} naming the file and the problem. Data is read and written in 1 MiB chunks through a
 * {@link FileChannel}, so memory use is the tensors themselves plus a fixed buffer, even for files of several
 * hundred MB.
 */
public final class SafeTensors {
    /** The largest header accepted, in bytes (the limit of the reference implementation). */
    public static final long MAX_HEADER_SIZE = 100_000_000L;

    /** The reserved header key holding the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafeTensors() {}

    /**
     * The content of a safetensors file.
     *
     * @param tensors  tensors by name, in the order of the file's header (ascending names for files this class
     *                 wrote), on the default backend; unmodifiable
     * @param metadata the {@code __metadata__} entries (empty when absent), sorted by key; unmodifiable
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
        }
    }

    /**
     * One tensor's header entry, as stored in the file (before any dtype conversion).
     *
     * @param name  the tensor's name
     * @param dtype the safetensors dtype code ({@code "F32"}, {@code "BF16"}, {@code "I64"}, ...)
     * @param shape the dimensions (empty for a scalar); the array is the entry's own, do not modify it
     * @param begin first byte of the data, relative to the start of the data buffer
     * @param end   one past the last byte of the data, relative to the start of the data buffer
     */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        /** Number of elements (the product of the shape; 1 for a scalar). */
        public long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        /** The Brink dtype this tensor loads as (see the class comment), or null for a dtype Brink cannot load. */
        public DType loadsAs() {
            FileType t = FileType.of(dtype);
            return t == null ? null : t.target;
        }
    }

    /**
     * Decides, from a file's validated header alone, which tensors to read: it may check the header against what the
     * caller expects (names, shapes, dtypes) and throw, so that a file holding unexpected or misshapen tensors is
     * refused before any of their bytes are read or allocated.
     */
    @FunctionalInterface
    public interface Selection {
        /**
         * @param header the file's header, already validated as safetensors (layout, sizes against the file)
         * @return the names of the tensors to read
         * @throws IOException to refuse the file (a {@link ModelFileException} naming it)
         */
        Predicate<String> select(Header header) throws IOException;
    }

    /**
     * A parsed and validated header.
     *
     * @param headerSize {@code N}, the JSON header's size in bytes (including padding)
     * @param entries    the tensors, in header order
     * @param metadata   the {@code __metadata__} entries, sorted by key
     */
    public record Header(long headerSize, List<Entry> entries, Map<String, String> metadata) {
        public Header {
            entries = List.copyOf(entries);
            metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
        }

        /** Absolute file position of the first byte of the data buffer ({@code 8 + N}). */
        public long dataStart() {
            return 8 + headerSize;
        }
    }

    // ------------------------------------------------------------------ dtypes

    /** The safetensors dtypes of the specification, with their element sizes in bits. */
    private enum FileType {
        BOOL(8, null), U8(8, DType.INT32), I8(8, DType.INT32), U16(16, DType.INT32), I16(16, DType.INT32),
        F16(16, DType.FLOAT32), BF16(16, DType.FLOAT32), U32(32, DType.INT32), I32(32, DType.INT32),
        F32(32, DType.FLOAT32), U64(64, DType.INT32), I64(64, DType.INT32), F64(64, DType.FLOAT64),
        C64(64, null), F8_E5M2(8, null), F8_E4M3(8, null), F8_E8M0(8, null), F6_E2M3(6, null), F6_E3M2(6, null),
        F4(4, null);

        final int bits;
        /** The Brink dtype this file type loads as; null when it cannot be loaded. */
        final DType target;

        FileType(int bits, DType target) {
            this.bits = bits;
            this.target = target;
        }

        static FileType of(String code) {
            for (FileType t : values()) if (t.name().equals(code)) return t;
            return null;
        }

        static String loadable() {
            StringBuilder sb = new StringBuilder();
            for (FileType t : values()) if (t.target != null) sb.append(sb.length() == 0 ? "" : ", ").append(t.name());
            return sb.toString();
        }
    }

    private static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
        };
    }

    // ------------------------------------------------------------------ reading

    /** Reads every tensor and the metadata of {@code file}. */
    public static Contents read(Path file) throws IOException {
        return read(file, name -> true);
    }

    /**
     * Reads the tensors whose names {@code include} accepts, and the metadata. The whole header is validated
     * either way; the data of excluded tensors is neither read nor converted (so an excluded tensor may have a
     * dtype Brink cannot load).
     */
    public static Contents read(Path file, Predicate<String> include) throws IOException {
        Objects.requireNonNull(include, "include");
        return readSelected(file, header -> include);
    }

    /**
     * Reads the header, lets {@code selection} check it and choose the tensors, then reads those tensors (and returns
     * the metadata). Nothing but the header is read before {@code selection} has accepted the file.
     */
    public static Contents readSelected(Path file, Selection selection) throws IOException {
        Objects.requireNonNull(selection, "selection");
        try (FileChannel ch = open(file)) {
            Header header = readHeader(file, ch);
            Predicate<String> include = Objects.requireNonNull(selection.select(header), "selection");
            for (Entry e : header.entries()) {
                if (!include.test(e.name())) continue;
                FileType type = FileType.of(e.dtype());
                if (type.target == null)
                    throw new ModelFileException(file, "tensor '" + e.name() + "' has dtype " + e.dtype()
                            + ", which Brink cannot load (loadable dtypes: " + FileType.loadable() + ")");
            }
            // Read in file order, so the file is traversed sequentially.
            List<Entry> byOffset = new ArrayList<>(header.entries());
            byOffset.sort(Comparator.comparingLong(Entry::begin));
            Map<String, Tensor> loaded = new java.util.HashMap<>();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : byOffset)
                if (include.test(e.name())) loaded.put(e.name(), readTensor(file, ch, buf, header.dataStart(), e));
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : header.entries())
                if (loaded.containsKey(e.name())) tensors.put(e.name(), loaded.get(e.name()));
            return new Contents(tensors, header.metadata());
        }
    }

    /** Reads and validates the header of {@code file} without reading any tensor data. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return readHeader(file, ch);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        if (java.nio.file.Files.isDirectory(file)) throw new ModelFileException(file, "is a directory, not a safetensors file");
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, "no such file", e);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8)
            throw new ModelFileException(file, "file is only " + size + " bytes long, shorter than the 8-byte header size field");
        ByteBuffer sizeField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, sizeField, 0, "the header size");
        long n = sizeField.flip().getLong();
        String nText = Long.toUnsignedString(n);
        if (n < 0 || n > MAX_HEADER_SIZE)
            throw new ModelFileException(file, "header size " + nText + " exceeds the limit of " + MAX_HEADER_SIZE + " bytes");
        if (n > size - 8)
            throw new ModelFileException(file, "header size " + nText + " is larger than the " + (size - 8)
                    + " bytes that follow the size field (file truncated, or not a safetensors file)");
        ByteBuffer raw = ByteBuffer.allocate((int) n);
        readFully(file, ch, raw, 8, "the header");
        raw.flip();
        String json;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(raw);
            json = chars.toString();
        } catch (CharacterCodingException e) {
            throw new ModelFileException(file, "header is not valid UTF-8", e);
        }
        if (!json.startsWith("{"))
            throw new ModelFileException(file, "header is not valid JSON: it does not start with '{' (not a safetensors file?)");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new ModelFileException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject())
            throw new ModelFileException(file, "header is not valid JSON: not a JSON object");

        Map<String, String> metadata = new TreeMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA_KEY)) metadata = parseMetadata(file, field.getValue());
            else entries.add(parseEntry(file, field.getKey(), field.getValue()));
        }
        validateLayout(file, entries, size - 8 - n);
        return new Header(n, entries, metadata);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws ModelFileException {
        if (!node.isObject())
            throw new ModelFileException(file, "\"" + METADATA_KEY + "\" is not a JSON object of strings");
        Map<String, String> metadata = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual())
                throw new ModelFileException(file, "metadata value of \"" + f.getKey() + "\" is not a string: " + f.getValue());
            metadata.put(f.getKey(), f.getValue().textValue());
        }
        return metadata;
    }

    private static Entry parseEntry(Path file, String name, JsonNode node) throws ModelFileException {
        String where = "tensor '" + name + "'";
        if (!node.isObject())
            throw new ModelFileException(file, where + ": entry is not a JSON object: " + abbreviate(node));
        JsonNode dtypeNode = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offsetsNode = node.get("data_offsets");
        if (dtypeNode == null) throw new ModelFileException(file, where + ": missing \"dtype\"");
        if (shapeNode == null) throw new ModelFileException(file, where + ": missing \"shape\"");
        if (offsetsNode == null) throw new ModelFileException(file, where + ": missing \"data_offsets\"");
        if (!dtypeNode.isTextual())
            throw new ModelFileException(file, where + ": \"dtype\" is not a string: " + abbreviate(dtypeNode));
        String dtype = dtypeNode.textValue();
        FileType type = FileType.of(dtype);
        if (type == null)
            throw new ModelFileException(file, where + ": unknown dtype \"" + dtype + "\"");

        if (!shapeNode.isArray())
            throw new ModelFileException(file, where + ": \"shape\" is not an array: " + abbreviate(shapeNode));
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0)
                throw new ModelFileException(file, where + ": \"shape\" must hold non-negative integers, got " + abbreviate(shapeNode));
            if (d.longValue() > Integer.MAX_VALUE)
                throw new ModelFileException(file, where + ": dimension " + d.longValue() + " of shape " + shapeNode
                        + " is too large for a Brink tensor (at most " + Integer.MAX_VALUE + ")");
            shape[i] = d.intValue();
            numel *= shape[i]; // both factors are at most 2^31 - 1: no overflow
            if (numel > Integer.MAX_VALUE)
                throw new ModelFileException(file, where + ": shape " + shapeNode + " has more than "
                        + Integer.MAX_VALUE + " elements, too many for a Brink tensor");
        }

        if (!offsetsNode.isArray() || offsetsNode.size() != 2
                || !isNonNegativeLong(offsetsNode.get(0)) || !isNonNegativeLong(offsetsNode.get(1)))
            throw new ModelFileException(file, where + ": \"data_offsets\" must be [begin, end] with non-negative integers, got "
                    + abbreviate(offsetsNode));
        long begin = offsetsNode.get(0).longValue(), end = offsetsNode.get(1).longValue();
        if (begin > end)
            throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        long bits = numel * type.bits;
        if (bits % 8 != 0)
            throw new ModelFileException(file, where + ": " + numel + " elements of " + dtype + " do not fill whole bytes");
        long need = bits / 8;
        if (end - begin != need)
            throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes, but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + need + " bytes");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static boolean isNonNegativeLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Checks that the tensors tile the data buffer {@code [0, dataLength)} exactly. */
    private static void validateLayout(Path file, List<Entry> entries, long dataLength) throws ModelFileException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long position = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < position)
                throw new ModelFileException(file, "tensors '" + previous.name() + "' (data_offsets " + offsets(previous)
                        + ") and '" + e.name() + "' (data_offsets " + offsets(e) + ") overlap");
            if (e.begin() > position)
                throw new ModelFileException(file, "hole in the data buffer: bytes [" + position + ", " + e.begin()
                        + ") belong to no tensor (before tensor '" + e.name() + "')");
            if (e.end() > dataLength)
                throw new ModelFileException(file, "data truncated: tensor '" + e.name() + "' (data_offsets " + offsets(e)
                        + ") extends past the end of the data buffer, which holds only " + dataLength + " bytes");
            position = e.end();
            if (e.end() > e.begin()) previous = e;
        }
        if (position < dataLength)
            throw new ModelFileException(file, (dataLength - position) + " bytes of trailing data after the last tensor"
                    + " (tensors end at byte " + position + " of a " + dataLength + "-byte data buffer)");
    }

    private static String offsets(Entry e) {
        return "[" + e.begin() + ", " + e.end() + "]";
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position, String what) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position);
            if (n < 0) throw new ModelFileException(file, "unexpected end of file while reading " + what + " (file truncated?)");
            position += n;
        }
    }

    /** Receives one chunk of little-endian elements: {@code count} elements for indices {@code from...}. */
    @FunctionalInterface
    private interface ChunkReader {
        void accept(ByteBuffer chunk, int from, int count) throws ModelFileException;
    }

    private static void readChunks(Path file, FileChannel ch, ByteBuffer buf, long position, Entry e, int elementBytes,
                                   ChunkReader reader) throws IOException {
        int numel = (int) e.numel();
        int perChunk = CHUNK / elementBytes;
        for (int done = 0; done < numel; ) {
            int count = Math.min(perChunk, numel - done);
            buf.clear().limit(count * elementBytes);
            readFully(file, ch, buf, position, "tensor '" + e.name() + "'");
            buf.flip();
            reader.accept(buf, done, count);
            done += count;
            position += (long) count * elementBytes;
        }
    }

    private static Tensor readTensor(Path file, FileChannel ch, ByteBuffer buf, long dataStart, Entry e) throws IOException {
        FileType type = FileType.of(e.dtype());
        int numel = (int) e.numel();
        long pos = dataStart + e.begin();
        int size = type.bits / 8;
        switch (type) {
            case F32 -> {
                float[] out = new float[numel];
                readChunks(file, ch, buf, pos, e, size, (b, from, count) -> b.asFloatBuffer().get(out, from, count));
                return Tensor.of(out, e.shape());
            }
            case F64 -> {
                double[] out = new double[numel];
                readChunks(file, ch, buf, pos, e, size, (b, from, count) -> b.asDoubleBuffer().get(out, from, count));
                return Tensor.of(out, e.shape());
            }
            case F16, BF16 -> {
                float[] out = new float[numel];
                boolean bf = type == FileType.BF16;
                readChunks(file, ch, buf, pos, e, size, (b, from, count) -> {
                    for (int i = 0; i < count; i++) {
                        short h = b.getShort();
                        out[from + i] = bf ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h);
                    }
                });
                return Tensor.of(out, e.shape());
            }
            default -> {
                int[] out = new int[numel];
                readChunks(file, ch, buf, pos, e, size, (b, from, count) -> {
                    for (int i = 0; i < count; i++) {
                        long v = switch (type) {
                            case I32 -> b.getInt();
                            case U8 -> b.get() & 0xffL;
                            case I8 -> b.get();
                            case U16 -> b.getShort() & 0xffffL;
                            case I16 -> b.getShort();
                            case U32 -> b.getInt() & 0xffffffffL;
                            case I64 -> b.getLong();
                            case U64 -> {
                                long u = b.getLong();
                                yield u < 0 ? Long.MAX_VALUE : u; // beyond 2^63: certainly out of range
                            }
                            default -> throw new AssertionError(type);
                        };
                        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
                            throw new ModelFileException(file, "tensor '" + e.name() + "' (" + e.dtype() + "): element "
                                    + (from + i) + " is " + (type == FileType.U64 && v == Long.MAX_VALUE ? "at least 2^63" : v)
                                    + ", outside the int32 range Brink stores integers in");
                        out[from + i] = (int) v;
                    }
                });
                return Tensor.ofInts(out, e.shape());
            }
        }
    }

    /** IEEE 754 binary16 to binary32, exact (subnormals, infinities and NaN payloads included). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        if (exponent == 0) {
            if (mantissa == 0) return Float.intBitsToFloat(sign);
            // Subnormal: mantissa * 2^-24, exactly representable as a normal float.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} and {@code metadata} to {@code file} atomically (see {@link AtomicFiles}): on failure
     * the previous file, if any, is left as it was.
     *
     * @param tensors  tensors by name, any iteration order (they are written sorted by name); float32, float64 or
     *                 int32, on any backend, contiguous or not
     * @param metadata string entries for {@code __metadata__}; may be empty
     * @throws IllegalArgumentException for a null name or value, or a tensor named {@value #METADATA_KEY}
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Prepared prepared = prepare(tensors, metadata);
        AtomicFiles.write(file, ch -> prepared.writeTo(ch));
    }

    /**
     * Writes {@code tensors} and {@code metadata} in safetensors format to {@code out}, byte-identical to what
     * {@link #write(Path, Map, Map)} puts in a file. The channel is not closed.
     */
    public static void write(WritableByteChannel out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        prepare(tensors, metadata).writeTo(out);
    }

    private record Prepared(byte[] header, List<Tensor> tensors) {
        void writeTo(WritableByteChannel out) throws IOException {
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length).flip();
            writeFully(out, buf);
            for (int at = 0; at < header.length; at += CHUNK) {
                buf.clear();
                buf.put(header, at, Math.min(CHUNK, header.length - at)).flip();
                writeFully(out, buf);
            }
            for (Tensor t : tensors) writeTensor(out, buf, t);
        }
    }

    private static Prepared prepare(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        TreeMap<String, Tensor> sorted = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null) throw new IllegalArgumentException("tensor with a null name");
            if (e.getKey().equals(METADATA_KEY))
                throw new IllegalArgumentException("a tensor cannot be named \"" + METADATA_KEY + "\" (reserved for metadata)");
            if (e.getValue() == null) throw new IllegalArgumentException("tensor '" + e.getKey() + "' is null");
            sorted.put(e.getKey(), e.getValue());
        }
        TreeMap<String, String> meta = new TreeMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null)
                throw new IllegalArgumentException("metadata entry with a null key or value: " + e.getKey() + " = " + e.getValue());
            meta.put(e.getKey(), e.getValue());
        }

        ObjectNode root = MAPPER.createObjectNode();
        if (!meta.isEmpty()) {
            ObjectNode m = root.putObject(METADATA_KEY);
            meta.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", code(t.dtype()));
            ArrayNode shape = entry.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long bytes = (long) t.numel() * t.dtype().bytes();
            ArrayNode offsets = entry.putArray("data_offsets");
            offsets.add(offset);
            offsets.add(offset + bytes);
            offset += bytes;
        }
        byte[] json = MAPPER.writeValueAsBytes(root);
        if (json.length > MAX_HEADER_SIZE - 8)
            throw new IllegalArgumentException("safetensors header of " + json.length + " bytes exceeds the limit of "
                    + MAX_HEADER_SIZE + " bytes (too many tensors or too much metadata)");
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return new Prepared(header, new ArrayList<>(sorted.values()));
    }

    private static void writeTensor(WritableByteChannel out, ByteBuffer buf, Tensor t) throws IOException {
        int numel = t.numel();
        int elementBytes = t.dtype().bytes();
        int perChunk = CHUNK / elementBytes;
        switch (t.dtype()) {
            case FLOAT32 -> {
                float[] data = t.toFloatArray();
                for (int at = 0; at < numel; at += perChunk) {
                    int count = Math.min(perChunk, numel - at);
                    buf.clear().limit(count * elementBytes);
                    buf.asFloatBuffer().put(data, at, count);
                    writeFully(out, buf);
                }
            }
            case FLOAT64 -> {
                double[] data = t.toDoubleArray();
                for (int at = 0; at < numel; at += perChunk) {
                    int count = Math.min(perChunk, numel - at);
                    buf.clear().limit(count * elementBytes);
                    buf.asDoubleBuffer().put(data, at, count);
                    writeFully(out, buf);
                }
            }
            case INT32 -> {
                int[] data = t.toIntArray();
                for (int at = 0; at < numel; at += perChunk) {
                    int count = Math.min(perChunk, numel - at);
                    buf.clear().limit(count * elementBytes);
                    buf.asIntBuffer().put(data, at, count);
                    writeFully(out, buf);
                }
            }
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) out.write(buf);
    }
}
