package dev.brink.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps docs/gradient-testing.md honest: its Java block is in {@link GradientTestingExample} (which
 * {@link ExamplesTest} runs), and the message it shows is exactly what the example's check prints. Skipped only when
 * the examples are built outside the repository (no ../docs).
 */
class GradientTestingDocTest {
    private static final Path DOC = Path.of("..", "docs", "gradient-testing.md");
    private static final Pattern BLOCK = Pattern.compile("```(java|text)\\n(.*?)```", Pattern.DOTALL);

    @Test
    void theDocumentedSnippetAndMessageAreTheExamples() throws IOException {
        assumeTrue(Files.isRegularFile(DOC), "no ../docs/gradient-testing.md: the examples were built outside the repository");
        String doc = Files.readString(DOC);
        List<String> source = lines(Files.readString(Path.of("src/main/java/dev/brink/examples/GradientTestingExample.java")));
        Matcher m = BLOCK.matcher(doc);
        int java = 0, text = 0;
        String message = GradientTestingExample.run().buggy().message();
        while (m.find()) {
            if (m.group(1).equals("java")) {
                java++;
                List<String> snippet = lines(m.group(2));
                assertTrue(contains(source, snippet), "the ```java block starting '" + snippet.get(0) + "' is not in GradientTestingExample.java");
            } else {
                text++;
                assertEquals(message.strip(), m.group(2).strip(), "the message shown in docs/gradient-testing.md is not the one the example prints");
            }
        }
        assertEquals(1, java, "one Java block expected");
        assertEquals(1, text, "one text block (the message) expected");
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n", -1)) out.add(l.strip());
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
        while (!out.isEmpty() && out.get(0).isEmpty()) out.remove(0);
        return out;
    }

    private static boolean contains(List<String> source, List<String> snippet) {
        for (int i = 0; i + snippet.size() <= source.size(); i++)
            if (source.subList(i, i + snippet.size()).equals(snippet)) return true;
        return false;
    }
}
