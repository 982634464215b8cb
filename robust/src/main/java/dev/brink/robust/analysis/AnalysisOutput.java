package dev.brink.robust.analysis;

import dev.brink.robust.eval.CsvFields;
import dev.brink.robust.report.Outputs;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where an analysis writes: a directory of CSV tables and PNG figures (each written atomically), plus summary
 * numbers and a manifest of what was written, with captions, that {@link #finish()} saves as {@code summary.json}
 * for the model card. File names are plain ({@code [A-Za-z0-9._-]+}); writing one name twice is an error.
 */
public final class AnalysisOutput {
    /** A written file and its one-line caption. */
    public record Item(String file, String caption) {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path dir;
    private final String analysis;
    private final String command;
    private final List<Item> tables = new ArrayList<>();
    private final List<Item> figures = new ArrayList<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();

    /**
     * An output into {@code dir} for the analysis {@code analysis}; {@code command} is the command line that
     * reproduces it (shown next to its numbers in reports).
     */
    public AnalysisOutput(Path dir, String analysis, String command) {
        this.dir = dir;
        this.analysis = analysis;
        this.command = command;
    }

    public Path dir() {
        return dir;
    }

    /** The analysis' name. */
    public String analysis() {
        return analysis;
    }

    /** The command line that reproduces this output. */
    public String command() {
        return command;
    }

    /**
     * Writes a CSV table: {@code header} then one line per row; numbers in Java's shortest round-trip form, text
     * quoted where it must be ({@link CsvFields#quote}), null as an empty field.
     */
    public Path csv(String file, String caption, List<String> header, List<? extends List<?>> rows) throws IOException {
        Path p = claim(file, ".csv", tables, caption);
        StringBuilder b = new StringBuilder(line(header));
        for (List<?> r : rows) {
            if (r.size() != header.size())
                throw new IllegalArgumentException(file + ": row of " + r.size() + " values under a header of " + header.size());
            b.append(line(r));
        }
        Outputs.write(p, b.toString());
        return p;
    }

    private static String line(List<?> values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) b.append(',');
            Object v = values.get(i);
            if (v != null) b.append(v instanceof Number || v instanceof Boolean ? v.toString() : CsvFields.quote(v.toString()));
        }
        return b.append('\n').toString();
    }

    /** Writes a PNG figure. */
    public Path png(String file, String caption, BufferedImage image) throws IOException {
        Path p = claim(file, ".png", figures, caption);
        Outputs.writePng(p, image);
        return p;
    }

    /** Records a summary number (NaN and infinities are kept as strings in the JSON). */
    public void summary(String key, double value) {
        summary.put(key, value);
    }

    /** Records a summary string. */
    public void summary(String key, String value) {
        summary.put(key, value);
    }

    public List<Item> tables() {
        return Collections.unmodifiableList(tables);
    }

    public List<Item> figures() {
        return Collections.unmodifiableList(figures);
    }

    public Map<String, Object> summary() {
        return Collections.unmodifiableMap(summary);
    }

    /** Writes {@code summary.json}: the analysis name, the command, the summary numbers, tables and figures. */
    public Path finish() throws IOException {
        StringBuilder b = new StringBuilder("{\n  \"analysis\": ").append(JsonText.string(analysis))
                .append(",\n  \"command\": ").append(JsonText.string(command)).append(",\n  \"summary\": {");
        String sep = "\n";
        for (Map.Entry<String, Object> e : summary.entrySet()) {
            b.append(sep).append("    ").append(JsonText.string(e.getKey())).append(": ").append(JsonText.value(e.getValue()));
            sep = ",\n";
        }
        b.append(summary.isEmpty() ? "}" : "\n  }");
        b.append(",\n  \"tables\": ").append(items(tables)).append(",\n  \"figures\": ").append(items(figures)).append("\n}\n");
        Path p = dir.resolve("summary.json");
        Outputs.write(p, b.toString());
        return p;
    }

    private static String items(List<Item> list) {
        StringBuilder b = new StringBuilder("[");
        String sep = "";
        for (Item i : list) {
            b.append(sep).append("{\"file\": ").append(JsonText.string(i.file())).append(", \"caption\": ").append(JsonText.string(i.caption())).append('}');
            sep = ", ";
        }
        return b.append(']').toString();
    }

    private Path claim(String file, String ext, List<Item> list, String caption) {
        if (!NAME.matcher(file).matches() || !file.toLowerCase(Locale.ROOT).endsWith(ext))
            throw new IllegalArgumentException("output name '" + file + "' must be a plain file name ending in " + ext);
        for (Item i : tables) if (i.file().equals(file)) throw new IllegalArgumentException(analysis + " writes " + file + " twice");
        for (Item i : figures) if (i.file().equals(file)) throw new IllegalArgumentException(analysis + " writes " + file + " twice");
        list.add(new Item(file, caption));
        return dir.resolve(file);
    }
}
