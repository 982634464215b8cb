package dev.brink.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps the repository README honest: every {@code ```java} block in it must occur in an example source file here
 * (which this build compiles and {@link ExamplesTest} runs), and every {@code ```xml} block in this project's pom.xml.
 * Lines are compared without their leading and trailing blanks, so an excerpt may be shown less indented. Skipped
 * when the examples are built outside the repository (no ../README.md).
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern BLOCK = Pattern.compile("```(java|xml)\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaAndXmlSnippetOfTheReadmeIsInTheExamples() throws IOException {
        assumeTrue(Files.isRegularFile(README), "no ../README.md: the examples were built outside the repository");
        String readme = Files.readString(README);
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator)
                sources.add(lines(Files.readString(f)));
        }
        List<String> pom = lines(Files.readString(Path.of("pom.xml")));

        Matcher m = BLOCK.matcher(readme);
        int java = 0, xml = 0;
        List<String> missing = new ArrayList<>();
        while (m.find()) {
            List<String> snippet = lines(m.group(2));
            boolean found = m.group(1).equals("java")
                    ? sources.stream().anyMatch(src -> contains(src, snippet))
                    : contains(pom, snippet);
            if (m.group(1).equals("java")) java++; else xml++;
            if (!found) missing.add("```" + m.group(1) + " block starting '" + (snippet.isEmpty() ? "" : snippet.get(0)) + "'");
        }
        assertTrue(java >= 2, "expected the README's Java example and training loop, found " + java + " java blocks");
        assertTrue(xml >= 1, "expected the README's Maven dependency snippet, found " + xml + " xml blocks");
        assertTrue(missing.isEmpty(), "README snippets not found verbatim in examples/ (update the example or the README): " + missing);
    }

    @Test
    void theQuickStartIsInTheReadmeWhole() throws IOException {
        assumeTrue(Files.isRegularFile(README), "no ../README.md");
        String quickStart = Files.readString(Path.of("src/main/java/dev/brink/examples/QuickStart.java")).strip();
        assertTrue(Files.readString(README).contains(quickStart), "the README must show QuickStart.java whole, imports included");
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n", -1)) out.add(l.strip());
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
        while (!out.isEmpty() && out.get(0).isEmpty()) out.remove(0);
        return out;
    }

    /** Whether {@code snippet} occurs as consecutive lines of {@code source}. */
    private static boolean contains(List<String> source, List<String> snippet) {
        if (snippet.isEmpty()) return true;
        for (int i = 0; i + snippet.size() <= source.size(); i++) {
            if (source.subList(i, i + snippet.size()).equals(snippet)) return true;
        }
        return false;
    }
}
