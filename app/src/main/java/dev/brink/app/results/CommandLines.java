package dev.brink.app.results;

import java.util.List;
import java.util.regex.Pattern;

/** Command lines as text a POSIX shell reads back into the same arguments ({@code ./brink ...}). */
public final class CommandLines {
    private CommandLines() {}

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,+@%-]+");

    /** {@code ./brink} followed by the arguments, each quoted where the shell would split or expand it. */
    public static String brink(List<String> args) {
        StringBuilder b = new StringBuilder("./brink");
        for (String a : args) b.append(' ').append(quote(a));
        return b.toString();
    }

    /** One argument, in single quotes unless it is made only of characters the shell leaves alone. */
    public static String quote(String arg) {
        if (!arg.isEmpty() && PLAIN.matcher(arg).matches()) return arg;
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
