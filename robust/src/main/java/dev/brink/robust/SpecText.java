package dev.brink.robust;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The command line's {@code NAME[:KEY=VALUE,...]} syntax, shared by attack specs and training objectives: a lower-case
 * name and its options in the order given (keys lower case). Errors name the text, the kind of spec and the bad part.
 *
 * @param name    the name before the colon, lower case
 * @param options the {@code KEY=VALUE} pairs after it, keys lower case, in the order given
 */
public record SpecText(String name, Map<String, String> options) {
    /**
     * Splits {@code text}; {@code kind} names it in errors ("attack spec", "objective"). Rejects an empty or malformed
     * name, a part that is not {@code KEY=VALUE}, an empty key or value, and a key given twice.
     */
    public static SpecText parse(String kind, String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty " + kind + "; expected NAME[:KEY=VALUE,...]");
        String t = text.trim();
        int colon = t.indexOf(':');
        String name = (colon < 0 ? t : t.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty() || !name.matches("[a-z0-9][a-z0-9_.+-]*"))
            throw new IllegalArgumentException(kind + " '" + text + "': bad name '" + name + "'; expected NAME[:KEY=VALUE,...]");
        Map<String, String> opts = new LinkedHashMap<>();
        if (colon >= 0) {
            String rest = t.substring(colon + 1).trim();
            if (!rest.isEmpty()) {
                for (String part : rest.split(",")) {
                    int eq = part.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException(kind + " '" + text + "': '" + part.trim() + "' is not KEY=VALUE (expected KEY=VALUE)");
                    String k = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                    String v = part.substring(eq + 1).trim();
                    if (k.isEmpty() || v.isEmpty()) throw new IllegalArgumentException(kind + " '" + text + "': '" + part.trim() + "' has an empty key or value");
                    if (opts.put(k, v) != null) throw new IllegalArgumentException(kind + " '" + text + "': option '" + k + "' given twice");
                }
            }
        }
        return new SpecText(name, opts);
    }
}
