package dev.brink.robust;

import dev.brink.robust.attack.Attacks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Things registered by name for the command line, each with a one-line summary, its options (name, default,
 * meaning) and a factory of type {@code F}: the attacks ({@link Attacks}) and the training objectives
 * ({@code dev.brink.robust.train.Objectives}) are two registries of this kind. Names are lower case and unique,
 * kept in registration order; looking up an unknown name is an error listing the known ones.
 *
 * @param <F> the factory type: what turns parsed options into the registered thing
 */
public final class Registry<F> {
    /** A registered thing: its name, summary, declared options and factory. */
    public record Entry<F>(String name, String summary, List<Attacks.Option> options, F factory) {
        /** The summary line and one line per option, for {@code --help}. */
        public String help() {
            StringBuilder b = new StringBuilder(name).append(": ").append(summary).append('\n');
            for (Attacks.Option o : options)
                b.append(String.format(Locale.ROOT, "  %-18s %-10s %s%n", o.name(), o.defaultValue(), o.description()));
            return b.toString();
        }

        /** This entry's options set from {@code given} (undeclared keys are an error naming the declared ones). */
        public Attacks.Options parse(Map<String, String> given) {
            return new Attacks.Options(name, options, given);
        }
    }

    private final String kind;
    private final Map<String, Entry<F>> entries = new LinkedHashMap<>();

    /** An empty registry of things called {@code kind} in messages ("attack", "objective"). */
    public Registry(String kind) {
        this.kind = kind;
    }

    /** Adds an entry; a name registered twice is an error. */
    public synchronized void register(String name, String summary, List<Attacks.Option> options, F factory) {
        String n = name.toLowerCase(Locale.ROOT);
        if (entries.containsKey(n)) throw new IllegalArgumentException(kind + " '" + n + "' is already registered");
        entries.put(n, new Entry<>(n, summary, List.copyOf(options), factory));
    }

    /** Registered names, in registration order. */
    public synchronized List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /** The entry of a name (case-insensitive); an unknown name is an error listing the known ones. */
    public synchronized Entry<F> entry(String name) {
        Entry<F> e = entries.get(name.toLowerCase(Locale.ROOT));
        if (e == null) throw new IllegalArgumentException("unknown " + kind + " '" + name + "'; known: " + String.join(", ", entries.keySet()));
        return e;
    }

    /** {@code --help} text of every entry, in registration order. */
    public String help() {
        StringBuilder b = new StringBuilder();
        for (String n : names()) b.append(entry(n).help());
        return b.toString();
    }
}
