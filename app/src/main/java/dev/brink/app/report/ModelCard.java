package dev.brink.app.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.app.results.ResultJson;
import dev.brink.robust.analysis.AnalysisOutput;
import dev.brink.robust.eval.CsvFields;
import dev.brink.robust.report.HtmlReport;
import dev.brink.robust.report.chart.LineChart;
import dev.brink.robust.report.chart.Palette;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sections of the model card ({@code brink report}) that read files: the training log, an AutoAttack run's
 * {@code results.json}, and an analysis' output directory (its figures inlined, its summary numbers, a preview of
 * each table with the whole CSV as a download, and the command that reproduces it). Everything read from these files
 * (and from model files) is untrusted text: it reaches the page only through {@link HtmlReport}'s escaping methods.
 */
public final class ModelCard {
    private ModelCard() {}

    /** Rows of a table preview; the whole table is a download next to it. */
    static final int PREVIEW_ROWS = 8;
    /** Tables larger than this are not inlined as downloads (the page would grow past what a browser opens quickly). */
    static final long MAX_DOWNLOAD_BYTES = 4L << 20;

    /**
     * The training log of {@code brink train} ({@code MODEL.log.csv}: epoch, losses, accuracies, seconds, best): the
     * table, and per-epoch curves of the loss and of the accuracies when it has two or more epochs.
     */
    public static void trainingLog(HtmlReport h, Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        lines.removeIf(String::isBlank);
        if (lines.isEmpty()) {
            h.warning("The training log " + csv + " is empty.");
            return;
        }
        List<String> header = CsvFields.split(lines.get(0));
        List<List<String>> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            List<String> r = new ArrayList<>(CsvFields.split(l));
            while (r.size() < header.size()) r.add("");
            rows.add(r.subList(0, header.size()).stream().map(ModelCard::shortNumber).toList());
        }
        h.paragraph(rows.size() + " epoch(s) from " + csv + ". Losses are per sample; accuracies are fractions (empty where not measured).");
        h.table(header, rows);
        if (rows.size() < 2) return;
        int epoch = header.indexOf("epoch");
        if (epoch < 0) return;
        double[] x = column(rows, epoch);
        LineChart loss = new LineChart("training loss per epoch", "epoch", "loss per sample");
        LineChart acc = new LineChart("accuracy per epoch", "epoch", "accuracy").yRange(0, 1);
        int c = 0;
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (i == epoch || name.equals("seconds") || name.equals("best")) continue;
            double[] y = column(rows, i);
            if (!anyFinite(y)) continue;
            Color col = Palette.color(c++);
            LineChart p = name.contains("acc") || name.startsWith("val_") ? acc : loss;
            p.add(new LineChart.Series(name, x, y, col));
        }
        if (!loss.series().isEmpty()) h.figure(loss.render(640, 400), "Training loss (and regularizer) per epoch, from the training log.");
        if (!acc.series().isEmpty()) h.figure(acc.render(640, 400), "Accuracies per epoch, from the training log.");
    }

    /** An AutoAttack run ({@code brink autoattack}'s {@code results.json}): its numbers, per-attack table and command. */
    public static void autoAttack(HtmlReport h, Path resultsJson) throws IOException {
        JsonNode doc;
        try {
            doc = ResultJson.MAPPER.readTree(resultsJson.toFile());
        } catch (IOException e) {
            throw new IOException(resultsJson + ": not an AutoAttack results.json: " + e.getMessage(), e);
        }
        JsonNode cfg = doc.path("config"), res = doc.path("results");
        if (!res.has("robust_accuracy"))
            throw new IOException(resultsJson + ": not an AutoAttack results.json (no results.robust_accuracy)");
        h.keyValues(List.of(
                new String[] {"version", cfg.path("version").asText("")},
                new String[] {"threat model", cfg.path("norm").asText("") + ", eps " + cfg.path("eps").asText("")},
                new String[] {"data", cfg.path("data").asText("") + " (" + res.path("points").asText("") + " points)"},
                new String[] {"clean accuracy", fmt(res.path("clean_accuracy").asDouble(Double.NaN))},
                new String[] {"robust accuracy", fmt(res.path("robust_accuracy").asDouble(Double.NaN))}));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode a : res.path("attacks"))
            rows.add(List.of(a.path("name").asText(""), a.path("attacked").asText(""), a.path("broken").asText(""),
                    fmt(a.path("robust_accuracy_after").asDouble(Double.NaN))));
        if (!rows.isEmpty()) h.table(List.of("attack (in order)", "attacked", "broken", "robust accuracy after"), rows);
        if (doc.hasNonNull("command")) h.command(doc.get("command").asText());
    }

    /**
     * An analysis' output ({@link AnalysisOutput}: what it listed in {@code summary.json}): the summary numbers, every
     * figure inlined with its caption, each table previewed with the whole CSV as a download, and the command.
     */
    public static void analysis(HtmlReport h, AnalysisOutput out, String summary) throws IOException {
        if (summary != null) h.paragraph(summary);
        if (!out.summary().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, Object> e : out.summary().entrySet())
                rows.add(List.of(e.getKey(), e.getValue() instanceof Number n ? shortNumber(n.toString()) : String.valueOf(e.getValue())));
            h.table(List.of("summary", "value"), rows);
        }
        for (AnalysisOutput.Item f : out.figures()) h.figure(Files.readAllBytes(out.dir().resolve(f.file())), f.caption());
        for (AnalysisOutput.Item t : out.tables()) table(h, out.dir().resolve(t.file()), t.caption());
        h.command(out.command());
    }

    private static void table(HtmlReport h, Path csv, String caption) throws IOException {
        long size = Files.size(csv);
        List<String> lines = new ArrayList<>();
        int total = 0;
        try (var r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                if (l.isBlank()) continue;
                if (lines.size() <= PREVIEW_ROWS) lines.add(l);
                total++;
            }
        }
        h.subheading(csv.getFileName() + ": " + caption);
        if (lines.isEmpty()) return;
        List<String> header = CsvFields.split(lines.get(0));
        List<List<String>> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            List<String> r = new ArrayList<>(CsvFields.split(l).stream().map(ModelCard::shortNumber).toList());
            while (r.size() < header.size()) r.add("");
            rows.add(r.subList(0, header.size()));
        }
        h.table(header, rows);
        String what = String.format(Locale.ROOT, "%d of %d rows shown", rows.size(), Math.max(0, total - 1));
        if (size <= MAX_DOWNLOAD_BYTES)
            h.download("download " + csv.getFileName() + " (" + what + "; " + size / 1024 + " KiB)", csv.getFileName().toString(), "text/csv",
                    Files.readAllBytes(csv));
        else h.paragraph(what + "; the whole table is " + csv + " (" + size / (1 << 20) + " MiB, too large to inline).");
    }

    /** A number cell in at most 6 significant digits (text and integers unchanged). */
    static String shortNumber(String s) {
        if (s == null || s.isEmpty() || !s.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?") || !s.contains(".") && !s.contains("e") && !s.contains("E")) return s;
        try {
            double v = Double.parseDouble(s);
            String t = String.format(Locale.ROOT, "%.6g", v);
            return t.contains("e") ? t : t.replaceFirst("\\.?0+$", "");
        } catch (NumberFormatException e) {
            return s;
        }
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static double[] column(List<List<String>> rows, int i) {
        double[] v = new double[rows.size()];
        for (int r = 0; r < v.length; r++) {
            try {
                String s = rows.get(r).get(i);
                v[r] = s.isEmpty() ? Double.NaN : Double.parseDouble(s);
            } catch (NumberFormatException e) {
                v[r] = Double.NaN;
            }
        }
        return v;
    }

    private static boolean anyFinite(double[] v) {
        for (double x : v) if (Double.isFinite(x)) return true;
        return false;
    }
}
