package dev.brink.robust.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The CSV fields of Brink's result files (sweep.csv, AutoAttack's per-sample.csv): a field holding a comma, a quote
 * or a line break (attack specs such as {@code pgd:steps=10,restarts=2} do) is quoted with its quotes doubled, and
 * {@link #split} reads such a line back.
 */
public final class CsvFields {
    private CsvFields() {}

    /** The field as written: quoted (quotes doubled) when it holds a comma, a quote or a line break (LF or CR). */
    public static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** The fields of one line written with {@link #quote}. */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean q = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (q) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') q = false;
                else cur.append(ch);
            } else if (ch == '"') q = true;
            else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else cur.append(ch);
        }
        out.add(cur.toString());
        return out;
    }
}
