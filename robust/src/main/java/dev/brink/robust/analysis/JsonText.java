package dev.brink.robust.analysis;

/** Minimal JSON text for {@code summary.json} (robust/ has no JSON library). */
final class JsonText {
    private JsonText() {}

    static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    static String value(Object v) {
        if (v instanceof Double d) return Double.isFinite(d) ? Double.toString(d) : string(d.toString());
        if (v instanceof Number n) return n.toString();
        return string(String.valueOf(v));
    }
}
