package dev.brink.app.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * Terminal output that cannot be steered by the text it shows (issue 13, case 7). Model metadata, file and folder
 * names, spec texts in error messages and everything else a command prints may come from a file someone else
 * made; a terminal would act on the control characters in it (an escape sequence can move the cursor, rewrite
 * earlier lines, retitle the window or hide text). Every command's standard output and error therefore pass
 * through {@link #escaping}: line feeds and tabs pass, a carriage return passes only before a line feed (a line
 * end), and every other control character, C0 (including ESC) and DEL, C1, and the Unicode bidirectional and line
 * separator controls (U+2028-U+2029, U+202A-U+202E, U+2066-U+2069) is shown as {@code \}{@code uXXXX}. That form
 * is also a valid JSON escape of the same character, so {@code --json} output on standard output stays valid JSON
 * meaning the same (Jackson already escapes C0 controls inside strings itself).
 */
public final class TerminalText {
    private TerminalText() {}

    /** Whether {@code c} is shown escaped (see the class comment; CR is decided by the character after it). */
    static boolean unsafe(char c) {
        return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f)
                || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    /** {@code s} with every unsafe character, carriage returns included, as {@code \}{@code uXXXX}. */
    public static String escape(String s) {
        if (s == null) return null;
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = unsafe(c) || (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n'));
            if (bad && b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (b != null) {
                if (bad) b.append(String.format("\\u%04x", (int) c));
                else b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * {@code s} for one line of output: {@link #escape} and also line feeds and tabs as {@code \}{@code uXXXX}, so
     * that a value cannot fake further lines (metadata values in {@code brink info}).
     */
    public static String line(String s) {
        if (s == null) return null;
        return escape(s).replace("\n", "\\u000a").replace("\t", "\\u0009");
    }

    /** A writer over {@code out} that escapes what it writes (autoflush on println, as picocli's writers do). */
    public static PrintWriter escaping(PrintWriter out) {
        return out instanceof Escaping ? out : new Escaping(out);
    }

    private static final class Escaping extends PrintWriter {
        Escaping(PrintWriter out) {
            super(new EscapingWriter(out), true);
        }
    }

    /** The filter; holds back a carriage return until the next character shows whether it ends a line. */
    private static final class EscapingWriter extends Writer {
        private final Writer out;
        private boolean pendingCr;

        EscapingWriter(Writer out) {
            this.out = out;
        }

        @Override
        public void write(char[] buf, int off, int len) throws java.io.IOException {
            StringBuilder b = new StringBuilder(len + 8);
            for (int i = off; i < off + len; i++) {
                char c = buf[i];
                if (pendingCr) {
                    b.append(c == '\n' ? "\r" : "\\u000d");
                    pendingCr = false;
                }
                if (c == '\r') pendingCr = true;
                else if (unsafe(c)) b.append(String.format("\\u%04x", (int) c));
                else b.append(c);
            }
            out.write(b.toString());
        }

        @Override
        public void flush() throws java.io.IOException {
            out.flush();
        }

        @Override
        public void close() throws java.io.IOException {
            if (pendingCr) out.write("\\u000d");
            pendingCr = false;
            out.close();
        }
    }
}
