package dev.brink.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.nn.io.Checkpoint;
import dev.brink.nn.io.ModelInfo;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code brink train --resume} does with the options given beside it. A resumed run is the checkpoint's run:
 * its data selection, model, optimizer, learning rate, schedule, width, initialization and seed are the checkpoint's.
 * An option given with {@code --resume} must therefore agree with the checkpoint; every one that does not is listed
 * in one error, before any data is loaded. The data options are compared even when left out, since the data is
 * read from them again (a run trained on {@code --limit 1000} resumed without it would continue on all the data).
 *
 * <p>The options are recorded at the start of a run under {@value #OPTIONS_KEY} ({@link #record}); the optimizer's
 * kind and hyper-parameters are read from its stored configuration. A checkpoint of an earlier brink has no record:
 * the options only the record would hold ({@code --lr}, {@code --schedule}, {@code --width}, {@code --init},
 * {@code --limit}) cannot be checked against it, and are refused when given.
 */
final class ResumeCheck {
    /** Checkpoint metadata key of the run's options, a JSON object of strings. */
    static final String OPTIONS_KEY = "brink.train.options";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumeCheck() {}

    /** {@code info} with the run's options ({@code --data ... --init}, as strings; absent ones left out) recorded. */
    static ModelInfo record(ModelInfo info, Map<String, String> options) {
        ObjectNode o = JSON.createObjectNode();
        options.forEach((k, v) -> {
            if (v != null) o.put(k, v);
        });
        try {
            return info.withExtra(OPTIONS_KEY, JSON.writeValueAsString(o));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The options of a resumed run, for comparison: those given explicitly ({@code given}, option name to value as
     * typed) and the data selection in effect ({@code data}: {@code --data}, {@code --limit}, {@code --sample},
     * {@code --sample-seed}; a null value for an option left out).
     */
    record Given(Map<String, String> given, Map<String, String> data, Path specFile) {
        Given {
            given = new LinkedHashMap<>(given);
            data = new LinkedHashMap<>(data);
        }
    }

    /**
     * Every conflict between the options and the checkpoint, one line each (empty when they agree).
     *
     * @throws IOException when {@code --spec}'s file cannot be read
     */
    static List<String> conflicts(Checkpoint.Summary s, Given g) throws IOException {
        List<String> out = new ArrayList<>();
        Map<String, String> extra = s.info().extra();
        Map<String, String> rec = recorded(extra.get(OPTIONS_KEY));

        // the data: always compared (it is loaded from these options again)
        String data = rec != null ? rec.get("--data") : extra.get("brink.data");
        if (data != null && !data.equals(g.data().get("--data"))) out.add(differs("--data", g.data().get("--data"), data));
        if (rec != null) {
            String limit = rec.get("--limit"), givenLimit = g.data().get("--limit");
            if (!Objects.equals(limit, givenLimit)) out.add(differs("--limit", givenLimit, limit));
            else if (limit != null) {
                for (String o : new String[] {"--sample", "--sample-seed"})
                    if (!Objects.equals(rec.get(o), g.data().get(o))) out.add(differs(o, g.data().get(o), rec.get(o)));
            }
        } else if (g.given().containsKey("--limit")) {
            out.add(unverifiable("--limit"));
        }

        // the model
        if (g.given().containsKey("--model")) {
            String zoo = g.given().get("--model");
            if (!zoo.equals(s.info().model()))
                out.add(s.info().model().isEmpty() ? "--model " + zoo + ": the checkpoint's model was built from a spec, not a zoo model"
                        : differs("--model", zoo, s.info().model()));
        }
        if (g.specFile() != null) {
            JsonNode given, stored;
            try {
                given = ModelSpec.parse(Files.readString(g.specFile()));
                stored = ModelSpec.parse(s.info().spec());
            } catch (SpecException e) {
                throw new IllegalArgumentException("--spec " + g.specFile() + ": " + e.getMessage());
            }
            if (!given.equals(stored)) out.add("--spec " + g.specFile() + ": its architecture differs from the checkpoint's");
        }

        // the optimizer, from its stored configuration
        JsonNode opt;
        try {
            opt = JSON.readTree(s.optimizerJson());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the checkpoint's optimizer configuration is not JSON: " + s.optimizerJson());
        }
        String kind = opt.path("type").asText();
        String optimizer = kind.equals("adam") && opt.path("adamw").asBoolean(false) ? "adamw" : kind;
        if (g.given().containsKey("--optimizer") && !g.given().get("--optimizer").toLowerCase(Locale.ROOT).equals(optimizer))
            out.add(differs("--optimizer", g.given().get("--optimizer"), optimizer));
        number(out, g, "--weight-decay", opt.path("weight_decay").asText(null));
        if (kind.equals("sgd")) {
            number(out, g, "--momentum", opt.path("momentum").asText(null));
            if (g.given().containsKey("--nesterov") && !opt.path("nesterov").asBoolean(false))
                out.add("--nesterov: the checkpoint's SGD runs without Nesterov momentum");
        } else {
            for (String o : new String[] {"--momentum", "--nesterov"})
                if (g.given().containsKey(o)) out.add(o + " applies to sgd, and the checkpoint's optimizer is " + optimizer);
        }

        // recorded at the run's start
        for (String o : new String[] {"--lr", "--width"}) {
            if (!g.given().containsKey(o)) continue;
            if (rec == null) out.add(unverifiable(o));
            else if (rec.get(o) == null) out.add(o + " " + g.given().get(o) + ": the checkpoint's run had none");
            else number(out, g, o, rec.get(o));
        }
        for (String o : new String[] {"--schedule", "--init"}) {
            if (!g.given().containsKey(o)) continue;
            if (rec == null) out.add(unverifiable(o));
            else if (!g.given().get(o).trim().equalsIgnoreCase(String.valueOf(rec.get(o)))) out.add(differs(o, g.given().get(o), rec.get(o)));
        }
        String seed = extra.get("brink.seed");
        if (seed != null) number(out, g, "--seed", seed);
        return out;
    }

    /**
     * The notice for a checkpoint whose optimizer keeps state (Adam's moment estimates, SGD's momentum) after some
     * steps but holds none (stripped, or written by another tool): the run resumes with that state reset and will not
     * match an uninterrupted one. Null when there is nothing to say.
     */
    static String missingOptimizerState(Path checkpoint, Checkpoint.Summary s) {
        if (s.optimizerTensors() > 0 || s.step() == 0) return null;
        JsonNode opt;
        try {
            opt = JSON.readTree(s.optimizerJson());
        } catch (JsonProcessingException e) {
            return null;  // Optimizer.fromConfig reports it
        }
        String kind = opt.path("type").asText();
        boolean stateful = kind.equals("adam") || kind.equals("sgd") && opt.path("momentum").asDouble(0) > 0;
        if (!stateful) return null;
        return "note: the checkpoint " + checkpoint + " holds no optimizer state after " + s.step() + " steps (" + (kind.equals("adam")
                ? "Adam's moment estimates" : "SGD's momentum buffers") + "): training resumes with it reset, so it will not give the numbers"
                + " of an uninterrupted run";
    }

    /** The error of {@link #conflicts}: every line, and what to do. */
    static IllegalArgumentException error(Path checkpoint, List<String> conflicts) {
        return new IllegalArgumentException("--resume: " + (conflicts.size() == 1 ? "an option conflicts" : conflicts.size() + " options conflict")
                + " with the checkpoint " + checkpoint + ":\n  " + String.join("\n  ", conflicts)
                + "\na resumed run keeps the checkpoint's settings: drop these options (or give the checkpoint's values), or start a new run with another --output");
    }

    private static void number(List<String> out, Given g, String option, String stored) {
        String given = g.given().get(option);
        if (given == null || stored == null) return;
        try {
            if (Double.parseDouble(given.trim()) == Double.parseDouble(stored)) return;
        } catch (NumberFormatException e) {
            // not a number: reported as differing
        }
        out.add(differs(option, given, stored));
    }

    private static String differs(String option, String given, String stored) {
        return option + " " + (given == null ? "(not given)" : given) + " differs from the checkpoint's " + (stored == null ? "(none)" : option + " " + stored);
    }

    private static String unverifiable(String option) {
        return option + ": the checkpoint (of an earlier brink) does not record it, so it cannot be checked against the run";
    }

    private static Map<String, String> recorded(String json) {
        if (json == null) return null;
        try {
            JsonNode n = JSON.readTree(json);
            Map<String, String> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            return m;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the checkpoint's metadata " + OPTIONS_KEY + " is not a JSON object: " + json);
        }
    }
}
