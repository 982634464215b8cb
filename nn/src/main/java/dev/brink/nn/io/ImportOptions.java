package dev.brink.nn.io;

import java.util.List;
import java.util.Objects;

/**
 * How to read the names of a foreign state dict (see {@link StateDictImport}).
 *
 * @param prefix  a prefix to strip from every name that has it (e.g. {@code module.}), or null to strip a prefix
 *                common to all names only where the model has no name starting with it
 * @param renames name-prefix replacements, applied after the prefix, first matching rule only
 * @param scheme  the naming scheme of the file after prefix and renames
 */
public record ImportOptions(String prefix, List<Rename> renames, NameScheme scheme) {
    /** No prefix, no renames, {@link NameScheme#AUTO}. */
    public static final ImportOptions AUTO = new ImportOptions(null, List.of(), NameScheme.AUTO);

    public ImportOptions {
        renames = List.copyOf(renames);
        Objects.requireNonNull(scheme, "scheme");
    }

    /**
     * A rename rule: a name starting with {@code from} has that start replaced by {@code to}.
     *
     * @param from the name prefix to replace (non-empty)
     * @param to   its replacement (may be empty)
     */
    public record Rename(String from, String to) {
        public Rename {
            if (from == null || from.isEmpty()) throw new IllegalArgumentException("rename rule with an empty FROM");
            Objects.requireNonNull(to, "to");
        }

        /** Parses {@code FROM=TO}, e.g. {@code features.=layers.} or {@code head.=layers.9.}. */
        public static Rename parse(String rule) {
            int eq = rule.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("rename rule '" + rule + "' must be FROM=TO, e.g. features.=layers.");
            return new Rename(rule.substring(0, eq), rule.substring(eq + 1));
        }

        /** The renamed name, or null when {@code name} does not start with {@link #from}. */
        String apply(String name) {
            return name.startsWith(from) ? to + name.substring(from.length()) : null;
        }
    }
}
