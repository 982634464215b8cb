package dev.brink.robust.analysis;

import java.util.List;

/** CSV cells of analysis tables: numbers in Java's shortest round-trip form, text quoted where it must be. */
final class CsvText {
    private CsvText() {}

    static String line(List<?> values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) b.append(',');
            b.append(cell(values.get(i)));
        }
        return b.append('\n').toString();
    }

    static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) return Double.toString(d);
        if (v instanceof Float f) return Float.toString(f);
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        String s = v.toString();
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
