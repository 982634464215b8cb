package dev.brink.app.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brink.app.results.CommandLines;
import dev.brink.app.results.ResultJson;
import dev.brink.robust.eval.EpsRange;
import dev.brink.robust.report.chart.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's comparison of training methods: one small MLP (Liu and Chan's MNIST architecture at reduced width)
 * trained three ways on the same images (standard cross-entropy; Madry et al.'s PGD adversarial training; Liu and
 * Chan's effective margin regularization), then each model under AutoAttack (Croce and Hein, standard version) and
 * its effective margins on test images. Every step is the brink command the report shows, run in this process
 * ({@link InProcessBrink}): {@code brink train} writes each model, {@code brink autoattack} and
 * {@code brink analyze margins} give the numbers.
 */
final class TrainingMethods {
    private TrainingMethods() {}

    /** One training method: an id (file names, run ids), its name in the report, and its {@code brink train} options. */
    record Method(String id, String title, List<String> trainOptions) {}

    /**
     * @param dataArgs     the data options of every command ({@code --data ...})
     * @param trainSamples training images (the first N), the same for every method
     * @param width        width multiplier of {@code mlp-4x1024}
     * @param eps          the L-inf radius of adversarial training and of AutoAttack, as text (pixel units in [0, 1])
     * @param pgdSteps     steps of the training attack (step size 2.5 eps / steps, Madry et al.'s rule)
     * @param attackPoints test images AutoAttack runs on
     * @param marginPoints test images whose effective margins are measured
     * @param tag          a suffix of the model file names (the quick mode's)
     */
    record Settings(List<String> dataArgs, int trainSamples, int epochs, double width, int batchSize, long seed, String eps, int pgdSteps,
                    int attackPoints, int marginPoints, Path modelDir, Path outDir, boolean retrain, String tag) {
        String trainAttack() {
            double e = Double.parseDouble(eps);
            return "pgd:norm=linf,eps=" + eps + ",steps=" + pgdSteps + ",step=" + EpsRange.format(2.5 * e / pgdSteps);
        }
    }

    /** What one method gave: its training command, the AutoAttack and margins documents, and the margins of the correctly classified points. */
    record Outcome(Method method, Path model, List<String> trainArgs, boolean reused, double trainSeconds, ObjectNode autoattack, ObjectNode margins,
                   double[] correctMargins) {
        double clean() {
            return autoattack.get("results").get("clean_accuracy").asDouble();
        }

        double robust() {
            return autoattack.get("results").get("robust_accuracy").asDouble();
        }

        double marginMean() {
            return margins.get("results").get("summary").get("test_margin_mean").asDouble();
        }

        double marginStd() {
            return margins.get("results").get("summary").get("test_margin_std").asDouble();
        }
    }

    static List<Method> methods(Settings s) {
        return List.of(
                new Method("standard", "standard training (cross-entropy)", List.of("--objective", "cross-entropy")),
                new Method("adversarial", "adversarial training (PGD, Madry et al.)", List.of("--objective", "pgd-at", "--train-attack", s.trainAttack())),
                new Method("emr", "effective margin regularization (EMR, Liu and Chan)", List.of("--objective", "emr:lambda=0.1")));
    }

    /** Trains (or reuses) each method's model, runs AutoAttack and the margins analysis on it. */
    static List<Outcome> run(Settings s, PrintWriter out) throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        for (Method m : methods(s)) {
            String name = "demo-mlp-4x1024-w" + EpsRange.format(s.width()) + "-" + m.id() + s.tag() + "-n" + s.trainSamples() + "-e" + s.epochs()
                    + "-s" + s.seed() + ".safetensors";
            Path model = s.modelDir().resolve(name);
            List<String> train = new ArrayList<>(List.of("train", "--model", "mlp-4x1024", "--width", EpsRange.format(s.width())));
            train.addAll(s.dataArgs());
            train.addAll(List.of("--limit", Integer.toString(s.trainSamples()), "--epochs", Integer.toString(s.epochs()),
                    "--batch-size", Integer.toString(s.batchSize()), "--seed", Long.toString(s.seed())));
            train.addAll(m.trainOptions());
            train.addAll(List.of("-o", model.toString()));
            boolean reuse = !s.retrain() && Files.isRegularFile(model);
            long t0 = System.nanoTime();
            if (reuse) {
                out.printf(Locale.ROOT, "      %s: reusing %s (--retrain trains again)%n", m.id(), model);
            } else {
                out.printf(Locale.ROOT, "      %s: %s%n", m.id(), CommandLines.brink(train));
                out.flush();
                InProcessBrink.run(train);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;

            Path aaDir = s.outDir().resolve("autoattack-" + m.id());
            List<String> aa = new ArrayList<>(List.of("autoattack", model.toString()));
            aa.addAll(s.dataArgs());
            aa.addAll(List.of("--limit", Integer.toString(s.attackPoints()), "--split", "test", "--eps", s.eps(), "--seed", Long.toString(s.seed()),
                    "--batch-size", Integer.toString(s.attackPoints()), "--out", aaDir.toString(), "--overwrite"));
            InProcessBrink.run(aa);
            ObjectNode aaDoc = (ObjectNode) ResultJson.MAPPER.readTree(aaDir.resolve("results.json").toFile());

            Path marginDir = s.outDir().resolve("margins-" + m.id());
            List<String> mg = new ArrayList<>(List.of("analyze", "margins", model.toString()));
            mg.addAll(s.dataArgs());
            mg.addAll(List.of("--limit", Integer.toString(s.marginPoints()), "--split", "test", "--seed", Long.toString(s.seed()),
                    "--out", marginDir.toString(), "--json"));
            ObjectNode mgDoc = (ObjectNode) ResultJson.MAPPER.readTree(InProcessBrink.run(mg));
            Outcome o = new Outcome(m, model, train, reuse, trainSeconds, aaDoc, mgDoc, correctMargins(marginDir.resolve("margins.csv")));
            out.printf(Locale.ROOT, "      %-12s clean %.3f  AutoAttack (linf %s) %.3f  mean effective margin %.3f (std %.3f, %d correct points)%n", m.id(),
                    o.clean(), s.eps(), o.robust(), o.marginMean(), o.marginStd(), o.correctMargins().length);
            out.flush();
            outcomes.add(o);
        }
        return outcomes;
    }

    /** The effective margins of the correctly classified points in the margins analysis' CSV (split,index,label,prediction,margin). */
    static double[] correctMargins(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty() || !lines.get(0).equals("split,index,label,prediction,margin"))
            throw new IOException(csv + ": expected the header split,index,label,prediction,margin");
        List<Double> v = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f.length != 5) throw new IOException(csv + ": expected 5 fields in '" + line + "'");
            if (f[2].equals(f[3])) v.add(Double.parseDouble(f[4]));
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The three margin distributions overlaid on shared bins, each method's mean marked. */
    static void writeMarginFigure(Path png, List<Outcome> outcomes) throws IOException {
        double hi = 0;
        for (Outcome o : outcomes) for (double x : o.correctMargins()) hi = Math.max(hi, x);
        Histogram h = new Histogram("Effective margins of correctly classified test points", "effective margin (L2, pixel units)", "points");
        for (Outcome o : outcomes) h.addValues(o.method().id(), o.correctMargins(), 30, 0, hi > 0 ? hi : 1);
        for (int i = 0; i < outcomes.size(); i++)
            h.marker(outcomes.get(i).marginMean(), "", dev.brink.robust.report.chart.Palette.color(i)); // labels would overlap: the caption explains
        h.write(png, 760, 440);
    }

    /** "Standard vs AT vs EMR" rows of the report's table. */
    static List<List<String>> table(List<Outcome> outcomes) {
        List<List<String>> rows = new ArrayList<>();
        for (Outcome o : outcomes)
            rows.add(List.of(o.method().title(), RobustnessDemo.f4(o.clean()), RobustnessDemo.f4(o.robust()),
                    String.format(Locale.ROOT, "%.3f ± %.3f", o.marginMean(), o.marginStd()),
                    o.reused() ? "reused" : RobustnessDemo.clock(o.trainSeconds())));
        return rows;
    }

    /** The training commands as a results.json section: each command and the SHA-256 of the model it wrote. */
    static com.fasterxml.jackson.databind.node.ArrayNode trainingJson(List<Outcome> outcomes) throws IOException {
        com.fasterxml.jackson.databind.node.ArrayNode a = ResultJson.MAPPER.createArrayNode();
        for (Outcome o : outcomes) {
            ObjectNode t = a.addObject();
            t.put("id", "train-" + o.method().id());
            t.put("title", o.method().title());
            t.put("command", CommandLines.brink(o.trainArgs()));
            com.fasterxml.jackson.databind.node.ArrayNode args = t.putArray("args");
            o.trainArgs().forEach(args::add);
            t.set("model", ResultJson.model(o.model(), null));
        }
        return a;
    }
}
