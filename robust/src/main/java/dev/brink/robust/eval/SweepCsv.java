package dev.brink.robust.eval;

import dev.brink.robust.attack.Norm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sweep rows as CSV, one row per attack and epsilon:
 * {@code attack,eps,accuracy,success_rate,mean_l2,mean_linf,mean_l1,mean_l0,norm,samples,clean_accuracy,model_calls,seconds}.
 * {@code accuracy} is over all samples (misclassified clean samples count as wrong), {@code success_rate} over the
 * attacked (correctly classified) ones, the mean norms over the successful ones; an empty cell means "no value"
 * (e.g. no sample succeeded, or eps 0). {@code model_calls} counts forward passes on batches (gradient passes
 * included), as {@link dev.brink.robust.attack.Classifier#calls()} does; {@code seconds} is the attack's time.
 * Attack labels containing a comma or quote are quoted.
 */
public final class SweepCsv {
    private SweepCsv() {}

    public static final String HEADER = "attack,eps,accuracy,success_rate,mean_l2,mean_linf,mean_l1,mean_l0,norm,samples,clean_accuracy,model_calls,seconds";

    public static String format(List<Sweep.Row> rows) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Sweep.Row r : rows) {
            sb.append(CsvFields.quote(r.attack())).append(',').append(EpsRange.format(r.eps())).append(',')
                    .append(num(r.accuracy())).append(',').append(num(r.successRate())).append(',')
                    .append(num(r.meanL2())).append(',').append(num(r.meanLinf())).append(',')
                    .append(num(r.meanL1())).append(',').append(num(r.meanL0())).append(',')
                    .append(r.norm().label()).append(',').append(r.samples()).append(',')
                    .append(num(r.cleanAccuracy())).append(',').append(r.modelCalls()).append(',')
                    .append(String.format(Locale.ROOT, "%.3f", r.seconds())).append('\n');
        }
        return sb.toString();
    }

    /** Writes the rows (atomically). */
    public static void write(Path file, List<Sweep.Row> rows) throws IOException {
        dev.brink.robust.report.Outputs.write(file, format(rows));
    }

    /** Reads a file written by {@link #write}. */
    public static List<Sweep.Row> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) throw new IOException(file + ": not a sweep CSV (expected header " + HEADER + ")");
        List<Sweep.Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            List<String> c = CsvFields.split(lines.get(i));
            if (c.size() != 13) throw new IOException(file + ": line " + (i + 1) + " has " + c.size() + " cells, expected 13");
            try {
                rows.add(new Sweep.Row(c.get(0), Norm.parse(c.get(8)), Double.parseDouble(c.get(1)), Integer.parseInt(c.get(9)), parse(c.get(10)),
                        parse(c.get(2)), parse(c.get(3)), parse(c.get(7)), parse(c.get(6)), parse(c.get(4)), parse(c.get(5)),
                        Long.parseLong(c.get(11)), Double.parseDouble(c.get(12))));
            } catch (RuntimeException e) {
                throw new IOException(file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return rows;
    }

    private static String num(double v) {
        if (Double.isNaN(v)) return "";
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1");
    }

    private static double parse(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
