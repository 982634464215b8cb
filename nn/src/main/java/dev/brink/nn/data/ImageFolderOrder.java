package dev.brink.nn.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sample order of an image-folder tree ({@code root/<class>/<image>}), so that the first {@code N} samples
 * (what {@code --limit N} takes) hold every class, not just the first one.
 *
 * <ol>
 *   <li><b>Global index in the file names.</b> When every file name (without its extension) is a number and no
 *       number occurs twice in the whole tree, the names are read as indices into one sequence, and the samples are
 *       ordered by that number. A tree written as {@code <class>/<index>.png} from a labelled array thus comes back
 *       in the array's order.</li>
 *   <li><b>Otherwise, classes interleaved.</b> Within each class, files are ordered by their number (numeric file
 *       names, by value) and then by name (other names, {@link String#compareTo} order, after the numeric ones);
 *       the classes are then taken in turn: the first file of each class in class order, then the second of each,
 *       and so on, a class that has run out being skipped.</li>
 * </ol>
 *
 * <p>The CIFAR-10 JPEG tree ({@code train/<class>/0000.jpg .. 4999.jpg}, made by converting the official batches
 * with one counter per class) falls under rule 2: its file names are the rank of each image <em>within its
 * class</em> in the official order, so each class keeps the official order, but how the official order
 * interleaves the classes is not in the files and cannot be recovered. Rule 2 makes the first {@code 10k} samples
 * the first {@code k} images of every class, in the official order of each class.
 */
final class ImageFolderOrder {
    private ImageFolderOrder() {}

    /** A file with its class label and the number its name encodes (-1 when the name is not a number). */
    record Entry(Path file, int label, long number) {}

    /**
     * Orders the files of a tree.
     *
     * @param perClass the image files of each class (label {@code k} at position {@code k}), in any order
     * @return all files, in sample order
     */
    static List<Entry> order(List<List<Path>> perClass) {
        List<List<Entry>> classes = new ArrayList<>();
        boolean allNumeric = true;
        Set<Long> seen = new HashSet<>();
        boolean distinct = true;
        for (int k = 0; k < perClass.size(); k++) {
            List<Entry> es = new ArrayList<>();
            for (Path p : perClass.get(k)) {
                long n = number(p);
                if (n < 0) allNumeric = false;
                else if (!seen.add(n)) distinct = false;
                es.add(new Entry(p, k, n));
            }
            es.sort(WITHIN_CLASS);
            classes.add(es);
        }
        List<Entry> out = new ArrayList<>();
        if (allNumeric && distinct) {
            for (List<Entry> es : classes) out.addAll(es);
            out.sort(Comparator.comparingLong(Entry::number));
            return out;
        }
        int longest = 0;
        for (List<Entry> es : classes) longest = Math.max(longest, es.size());
        for (int r = 0; r < longest; r++)
            for (List<Entry> es : classes) if (r < es.size()) out.add(es.get(r));
        return out;
    }

    /** Numeric names by value first, then the others by name. */
    private static final Comparator<Entry> WITHIN_CLASS = (a, b) -> {
        boolean na = a.number() >= 0, nb = b.number() >= 0;
        if (na && nb && a.number() != b.number()) return Long.compare(a.number(), b.number());
        if (na != nb) return na ? -1 : 1;
        return a.file().getFileName().toString().compareTo(b.file().getFileName().toString());
    };

    /** The number a file name (without extension) spells in decimal digits, or -1. */
    static long number(Path file) {
        String fn = file.getFileName().toString();
        int dot = fn.lastIndexOf('.');
        String stem = dot < 0 ? fn : fn.substring(0, dot);
        if (stem.isEmpty() || stem.length() > 18) return -1;
        for (int i = 0; i < stem.length(); i++) if (stem.charAt(i) < '0' || stem.charAt(i) > '9') return -1;
        return Long.parseLong(stem);
    }
}
