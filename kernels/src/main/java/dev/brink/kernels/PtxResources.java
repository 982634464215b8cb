package dev.brink.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PTX modules packed in the jar ({@code dev/brink/kernels/ptx/*.ptx}, listed in {@code index.txt} by
 * {@code make kernels}) and the kernel entry points each one defines.
 */
final class PtxResources {
    static final String DIR = "/dev/brink/kernels/ptx/";
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");

    private PtxResources() {}

    /** Whether the jar holds PTX: false for a build made without nvcc (the CPU-only build). */
    static boolean packed() {
        return PtxResources.class.getResource(DIR + "index.txt") != null;
    }

    /** Module file name to PTX text, in index order. */
    static Map<String, String> modules() {
        String index = read("index.txt");
        if (index == null)
            throw new IllegalStateException("the kernels jar has no PTX (" + DIR + "index.txt is missing): build it with nvcc (make kernels)");
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : index.split("\n")) {
            String name = line.trim();
            if (name.isEmpty()) continue;
            String ptx = read(name);
            if (ptx == null) throw new IllegalStateException("PTX module " + name + " is listed in " + DIR + "index.txt but missing");
            m.put(name, ptx);
        }
        return m;
    }

    /** The kernel names a PTX module defines. */
    static List<String> entries(String ptx) {
        List<String> names = new ArrayList<>();
        Matcher mt = ENTRY.matcher(ptx);
        while (mt.find()) names.add(mt.group(1));
        return names;
    }

    private static String read(String name) {
        try (InputStream in = PtxResources.class.getResourceAsStream(DIR + name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIR + name, e);
        }
    }
}
