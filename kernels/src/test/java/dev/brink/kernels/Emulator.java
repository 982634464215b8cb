package dev.brink.kernels;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CPU emulation of the kernels: builds an executable from every {@code src/main/cuda/*.cu} (unchanged),
 * {@code src/test/cuda/*.cu} (self-tests of the emulator) and {@code emu_runtime.cpp} with g++ against
 * {@code cuda_emu.h} (objects cached in {@code target/emu} by a hash of their sources and flags), starts it once
 * per JVM and speaks its binary protocol (see emu_runtime.cpp). A request that takes longer than
 * {@link #TIMEOUT_S} seconds kills the emulator (a kernel that never ends) and fails the test.
 */
final class Emulator implements AutoCloseable {
    static final String CXX = System.getProperty("brink.emu.cxx", "g++");
    static final List<String> FLAGS = List.of("-std=c++17", "-O2", "-Wall", "-Werror", "-fno-strict-aliasing");
    static final long TIMEOUT_S = 300;
    private static final Pattern KERNEL = Pattern.compile("__attribute__\\(\\(used, noinline\\)\\)\\s*void\\s+(\\w+)\\s*\\(");

    private static Emulator shared;

    private final Process process;
    private final OutputStream out;
    private final InputStream in;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cuda-emulator-watchdog");
        t.setDaemon(true);
        return t;
    });

    private Emulator(Path exe) throws IOException {
        Path log = exe.resolveSibling("emulator-stderr.log");
        process = new ProcessBuilder(exe.toString()).redirectError(log.toFile()).start();
        out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        in = new BufferedInputStream(process.getInputStream(), 1 << 16);
    }

    /** The emulator of this JVM, built and started on first use. */
    static synchronized Emulator shared() {
        if (shared == null || !shared.process.isAlive()) {
            try {
                shared = new Emulator(build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    // ------------------------------------------------------------------ build

    /** The kernels module directory (tests run in it; from the repository root it is kernels/). */
    static Path moduleDir() {
        Path here = Paths.get("").toAbsolutePath();
        if (Files.isDirectory(here.resolve("src/main/cuda"))) return here;
        if (Files.isDirectory(here.resolve("kernels/src/main/cuda"))) return here.resolve("kernels");
        throw new IllegalStateException("kernels/src/main/cuda not found from " + here);
    }

    static Path build() throws IOException {
        Path module = moduleDir();
        Path mainCuda = module.resolve("src/main/cuda"), testCuda = module.resolve("src/test/cuda");
        Path work = module.resolve("target/emu");
        Files.createDirectories(work.resolve("obj"));
        requireCompiler();
        List<Path> headers = new ArrayList<>(list(mainCuda, ".cuh"));
        headers.add(testCuda.resolve("cuda_emu.h"));
        String headerHash = hash(headers, String.join(" ", FLAGS));
        List<Path> objects = new ArrayList<>();
        List<Path> sources = new ArrayList<>(list(mainCuda, ".cu"));
        sources.addAll(list(testCuda, ".cu"));
        for (Path cu : sources) objects.add(compileFamily(cu, mainCuda, testCuda, work, headerHash));
        Path runtime = testCuda.resolve("emu_runtime.cpp");
        Path rtObj = work.resolve("obj/emu_runtime-" + hash(List.of(runtime), headerHash).substring(0, 16) + ".o");
        if (!Files.exists(rtObj)) {
            List<String> args = new ArrayList<>(FLAGS);
            args.addAll(List.of("-I" + testCuda, "-c", runtime.toString()));
            compile(args, rtObj, "emu_runtime.cpp");
        }
        objects.add(rtObj);
        Path exe = work.resolve("cuda-emu-" + hash(objects.stream().map(p -> p.getFileName().toString()).toList()).substring(0, 16));
        if (!Files.exists(exe)) {
            List<String> args = new ArrayList<>();
            for (Path o : objects) args.add(o.toString());
            compile(args, exe, "the emulator (link)");
        }
        return exe;
    }

    /** Compiles one .cu with a generated registration of each kernel it defines; returns the (cached) object. */
    private static Path compileFamily(Path cu, Path mainCuda, Path testCuda, Path work, String headerHash) throws IOException {
        String family = cu.getFileName().toString().replace(".cu", "");
        Path obj = work.resolve("obj/" + family + "-" + hash(List.of(cu), headerHash).substring(0, 16) + ".o");
        if (Files.exists(obj)) return obj;
        List<String> common = new ArrayList<>(FLAGS);
        common.addAll(List.of("-x", "c++", "-include", testCuda.resolve("cuda_emu.h").toString(), "-I" + mainCuda));
        List<String> pre = new ArrayList<>(List.of(CXX));
        pre.addAll(common);
        pre.addAll(List.of("-E", "-P", cu.toString()));
        String expanded = run(pre, family + ".cu (preprocess)");
        TreeSet<String> kernels = new TreeSet<>();
        Matcher m = KERNEL.matcher(expanded);
        while (m.find()) kernels.add(m.group(1));
        StringBuilder tu = new StringBuilder("#include \"" + cu.toAbsolutePath() + "\"\n");
        tu.append("static bk_emu::Registrar bk_registrar_").append(family).append("({\n");
        for (String k : kernels) tu.append("    {\"").append(k).append("\", &bk_emu::prepare<&").append(k).append(">},\n");
        tu.append("});\n");
        Path src = work.resolve("obj/" + family + "_emu.cpp");
        Files.writeString(src, tu);
        List<String> args = new ArrayList<>(common);
        args.addAll(List.of("-c", src.toString()));
        compile(args, obj, family + ".cu");
        return obj;
    }

    /** Runs the compiler with {@code args} and {@code -o output} (written atomically). */
    private static void compile(List<String> args, Path output, String what) throws IOException {
        Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
        List<String> cmd = new ArrayList<>(List.of(CXX));
        cmd.addAll(args);
        cmd.addAll(List.of("-o", tmp.toString()));
        run(cmd, what);
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String run(List<String> cmd, String what) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IllegalStateException("g++ failed on " + what + ":\n" + output);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling " + what);
        }
        return output;
    }

    private static void requireCompiler() {
        try {
            Process p = new ProcessBuilder(CXX, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) return;
        } catch (IOException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException(CXX + " not found: the emulated kernel tests compile the CUDA kernels with a C++17 "
                + "compiler (install g++, or point -Dbrink.emu.cxx=/path/to/g++ at one)");
    }

    private static List<Path> list(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String hash(List<Path> files, String salt) throws IOException {
        MessageDigest md = sha();
        md.update(salt.getBytes(StandardCharsets.UTF_8));
        for (Path f : files) {
            md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(f));
        }
        md.update(CXX.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    private static String hash(List<String> names) {
        MessageDigest md = sha();
        for (String n : names) md.update(n.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ protocol

    /** One request: the command bytes are written, flushed, and the status read under a watchdog. */
    synchronized ByteBuffer request(byte[] command, int replyBytes) {
        ScheduledFuture<?> kill = watchdog.schedule(process::destroyForcibly, TIMEOUT_S, TimeUnit.SECONDS);
        try {
            out.write(command);
            out.flush();
            int status = in.read();
            if (status < 0) throw new IllegalStateException(died());
            if (status != 0) {
                int len = readBuffer(4).getInt();
                throw new EmulatorException(new String(readBuffer(len).array(), StandardCharsets.UTF_8));
            }
            return readBuffer(replyBytes);
        } catch (IOException e) {
            throw new IllegalStateException(died(), e);
        } finally {
            kill.cancel(false);
        }
    }

    /** Reads a u32 count and then that many u16-prefixed strings (the reply of 'K'). */
    synchronized List<String> kernelNames() {
        byte[] k = {'K'};
        ByteBuffer count = request(k, 4);
        List<String> names = new ArrayList<>();
        int n = count.getInt();
        for (int i = 0; i < n; i++) {
            int len = readBuffer(2).getShort() & 0xFFFF;
            names.add(new String(readBuffer(len).array(), StandardCharsets.UTF_8));
        }
        return names;
    }

    private String died() {
        return process.isAlive() ? "the CUDA emulator stopped answering"
                : "the CUDA emulator died (exit " + process.exitValue() + "; killed after " + TIMEOUT_S
                        + " s if a kernel never ended; see target/emu/emulator-stderr.log)";
    }

    private ByteBuffer readBuffer(int n) {
        byte[] b = new byte[n];
        try {
            int off = 0;
            while (off < n) {
                int r = in.read(b, off, n - off);
                if (r < 0) throw new EOFException(died());
                off += r;
            }
        } catch (IOException e) {
            throw new IllegalStateException(died(), e);
        }
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public synchronized void close() {
        try {
            out.write('Q');
            out.flush();
        } catch (IOException ignored) {
            // already gone
        }
        process.destroy();
        watchdog.shutdownNow();
    }

    /** An error reported by the emulator for one request (bad launch, barrier divergence, out-of-bounds write). */
    static final class EmulatorException extends RuntimeException {
        EmulatorException(String message) {
            super(message);
        }
    }
}
