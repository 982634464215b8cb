package dev.brink.nn.io;

import java.nio.file.Path;
import java.util.List;

/**
 * A state dict in a file does not fit the model: some names are missing or unexpected, or some tensors have the
 * wrong shape or dtype. Thrown by {@link StateDicts#check}; the message lists every problem, one per line, and
 * {@link #problems()} returns them individually.
 */
public class StateDictMismatchException extends ModelFileException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** The mismatches between {@code file} and the model, one description per entry. */
    public StateDictMismatchException(Path file, List<String> problems) {
        this(file, problems, List.of());
    }

    /**
     * The mismatches between {@code file} and the model, followed in the message by {@code notes}: what was done to
     * the file's names before the comparison (see {@link StateDictImport}), one line each.
     */
    public StateDictMismatchException(Path file, List<String> problems, List<String> notes) {
        super(file, summary(problems) + notes(notes));
        this.problems = List.copyOf(problems);
    }

    /** Every mismatch, one per entry, in the order missing names, unexpected names, shape and dtype mismatches. */
    public List<String> problems() {
        return problems;
    }

    private static String notes(List<String> notes) {
        if (notes.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("\nnames as read:");
        for (String n : notes) sb.append("\n  ").append(n);
        return sb.toString();
    }

    private static String summary(List<String> problems) {
        StringBuilder sb = new StringBuilder("state dict does not match the model (")
                .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
        for (String p : problems) sb.append("\n  ").append(p);
        return sb.toString();
    }
}
