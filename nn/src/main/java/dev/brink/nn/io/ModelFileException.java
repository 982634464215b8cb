package dev.brink.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model, checkpoint or safetensors file that cannot be used: malformed, truncated, of an unsupported kind, or
 * not matching the model it is loaded into. The message always starts with the file's path, followed by the
 * problem ({@code "/runs/a.safetensors: header size 4096 is larger than the 100 bytes that follow it"}).
 */
public class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /** A problem with {@code file}; {@code problem} is the description without the file name. */
    public ModelFileException(Path file, String problem) {
        this(file, problem, null);
    }

    /** A problem with {@code file} caused by {@code cause} (for example a JSON parse error). */
    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file the problem is in. */
    public Path file() {
        return file;
    }

    /** The problem, without the file name. */
    public String problem() {
        return problem;
    }
}
