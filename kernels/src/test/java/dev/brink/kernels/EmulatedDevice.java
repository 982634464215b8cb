package dev.brink.kernels;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Device} on the {@link Emulator}: the kernels' own sources run on the CPU, so {@link CudaBackend} runs
 * unchanged over it (with its built-in GEMM and convolution kernels, since cuBLAS and cuDNN are not emulated).
 * Records the kernels it launched (for the coverage check) and can simulate a device of limited memory.
 */
final class EmulatedDevice implements Device {
    /** An emulator allocation. */
    record Buf(long address, long bytes) implements Buffer {}

    /** Kernels launched through any emulated device in this JVM. */
    static final Set<String> LAUNCHED = ConcurrentHashMap.newKeySet();

    private final Emulator emu;
    private final long limit;
    private Blas blas;
    private long allocated;
    private long allocations;

    /** An emulated device with unlimited memory. */
    EmulatedDevice() {
        this(Long.MAX_VALUE);
    }

    /** An emulated device that reports out-of-memory beyond {@code limitBytes} bytes. */
    EmulatedDevice(long limitBytes) {
        this.emu = Emulator.shared();
        this.limit = limitBytes;
    }

    /** Makes {@link #blas()} return {@code b} (a stand-in for cuBLAS). */
    EmulatedDevice withBlas(Blas b) {
        this.blas = b;
        return this;
    }

    @Override
    public Blas blas() {
        return blas;
    }

    @Override
    public String describe() {
        return "emulated device (the .cu sources compiled with g++); built-in gemm and convolution kernels";
    }

    /** Bytes currently allocated and the number of allocations made from the emulator so far. */
    synchronized long[] usage() {
        return new long[] {allocated, allocations};
    }

    @Override
    public synchronized Buffer alloc(long bytes) {
        if (allocated + bytes > limit)
            throw new DeviceOutOfMemoryException("emulated device out of memory allocating " + bytes + " bytes");
        ByteBuffer c = Emulator.le(9).put((byte) 'A').putLong(bytes);
        long address = emu.request(c.array(), 8).getLong();
        allocated += bytes;
        allocations++;
        Buf b = new Buf(address, bytes);
        // fresh device memory is not zeroed on a GPU either: all-ones bytes (NaN floats, -1 ints) make a kernel that
        // reads what no one wrote fail its comparison instead of reading zeros
        if (bytes > 0) memset(b, 0, bytes, (byte) 0xFF);
        return b;
    }

    @Override
    public synchronized void free(Buffer b) {
        emu.request(Emulator.le(9).put((byte) 'F').putLong(((Buf) b).address()).array(), 0);
        allocated -= b.bytes();
    }

    @Override
    public long[] memoryInfo() {
        return limit == Long.MAX_VALUE ? null : new long[] {limit - allocated, limit};
    }

    private static long address(Buffer b, long offset) {
        return ((Buf) b).address() + offset;
    }

    @Override
    public void upload(Buffer dst, long byteOffset, Object data) {
        ByteBuffer payload = toBytes(data);
        int n = payload.capacity();
        ByteBuffer c = Emulator.le(17 + n).put((byte) 'W').putLong(address(dst, byteOffset)).putLong(n);
        c.put(payload.array());
        emu.request(c.array(), 0);
    }

    @Override
    public void download(Buffer src, long byteOffset, Object data) {
        int n = byteLength(data);
        ByteBuffer r = emu.request(Emulator.le(17).put((byte) 'R').putLong(address(src, byteOffset)).putLong(n).array(), n);
        if (data instanceof float[] f) r.asFloatBuffer().get(f);
        else if (data instanceof double[] d) r.asDoubleBuffer().get(d);
        else if (data instanceof int[] i) r.asIntBuffer().get(i);
        else if (data instanceof long[] l) r.asLongBuffer().get(l);
    }

    @Override
    public void copy(Buffer dst, long dstOffset, Buffer src, long srcOffset, long bytes) {
        emu.request(Emulator.le(25).put((byte) 'C').putLong(address(dst, dstOffset)).putLong(address(src, srcOffset))
                .putLong(bytes).array(), 0);
    }

    @Override
    public void memset(Buffer dst, long byteOffset, long bytes, byte value) {
        emu.request(Emulator.le(18).put((byte) 'S').putLong(address(dst, byteOffset)).putLong(bytes).put(value).array(), 0);
    }

    @Override
    public void launch(String name, int[] grid, int[] block, KernelArgs args) {
        List<Object> values = args.values();
        byte[] nm = name.getBytes(StandardCharsets.US_ASCII);
        int size = 1 + 2 + nm.length + 24 + 2;
        for (Object v : values) size += 1 + (v instanceof KernelArgs.Ptr ? 8 : 4 + valueBytes(v));
        ByteBuffer c = Emulator.le(size).put((byte) 'L').putShort((short) nm.length).put(nm);
        for (int g : grid) c.putInt(g);
        for (int b : block) c.putInt(b);
        c.putShort((short) values.size());
        for (Object v : values) {
            if (v instanceof KernelArgs.Ptr p) {
                c.put((byte) 1).putLong(address(p.buffer(), p.byteOffset()));
                continue;
            }
            c.put((byte) 0).putInt(valueBytes(v));
            if (v instanceof Integer i) c.putInt(i);
            else if (v instanceof Long l) c.putLong(l);
            else if (v instanceof Double d) c.putDouble(d);
            else for (int i : ((KernelArgs.Struct) v).ints()) c.putInt(i);
        }
        LAUNCHED.add(name);
        emu.request(c.array(), 0);
    }

    private static int valueBytes(Object v) {
        if (v instanceof Integer) return 4;
        if (v instanceof Long || v instanceof Double) return 8;
        return 4 * ((KernelArgs.Struct) v).ints().length;
    }

    private static int byteLength(Object data) {
        if (data instanceof float[] f) return 4 * f.length;
        if (data instanceof double[] d) return 8 * d.length;
        if (data instanceof int[] i) return 4 * i.length;
        if (data instanceof long[] l) return 8 * l.length;
        throw new IllegalArgumentException("host array of " + data.getClass().getSimpleName());
    }

    private static ByteBuffer toBytes(Object data) {
        ByteBuffer b = Emulator.le(byteLength(data));
        if (data instanceof float[] f) b.asFloatBuffer().put(f);
        else if (data instanceof double[] d) b.asDoubleBuffer().put(d);
        else if (data instanceof int[] i) b.asIntBuffer().put(i);
        else if (data instanceof long[] l) b.asLongBuffer().put(l);
        return b;
    }

    @Override
    public void synchronize() {
        // The emulator runs every request to completion.
    }

    @Override
    public void close() {
        // The emulator process is shared by the JVM and closed at exit.
    }
}
