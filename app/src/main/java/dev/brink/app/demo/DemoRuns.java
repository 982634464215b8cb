package dev.brink.app.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.results.ResultJson;

import java.util.ArrayList;
import java.util.List;

/**
 * The runs behind the numbers of the demo report: for each, an id, what it reports, and the document
 * ({@link ResultJson}) that its command line gives with {@code --json}, holding the demo's own numbers. results.json
 * lists them; the report shows each command beside its numbers; a test runs every command and compares.
 */
final class DemoRuns {
    /** One run: the document's {@code command} reproduces its {@code results}. */
    record Run(String id, String title, ObjectNode doc) {
        String command() {
            return doc.get("command").asText();
        }
    }

    private final List<Run> runs = new ArrayList<>();

    /** Adds a run (the document gets the id and title too). */
    Run add(String id, String title, ObjectNode doc) {
        doc.put("id", id);
        doc.put("title", title);
        Run r = new Run(id, title, doc);
        runs.add(r);
        return r;
    }

    /** "# title" and command lines of some runs, for a pre block. */
    static String text(List<Run> rs) {
        List<String[]> pairs = new ArrayList<>();
        for (Run r : rs) pairs.add(new String[] {r.title(), r.command()});
        return titled(pairs);
    }

    /** Each {title, command line} as "# title" above the command, for a pre block. */
    static String titled(List<String[]> titleAndCommand) {
        StringBuilder b = new StringBuilder();
        for (String[] tc : titleAndCommand) b.append(b.length() == 0 ? "" : "\n").append("# ").append(tc[0]).append('\n').append(tc[1]);
        return b.toString();
    }

    List<Run> all() {
        return List.copyOf(runs);
    }

    /** The runs as a JSON array. */
    ArrayNode json() {
        ArrayNode a = ResultJson.MAPPER.createArrayNode();
        for (Run r : runs) a.add(r.doc());
        return a;
    }
}
