package dev.brink.robust.analysis;

import dev.brink.robust.report.chart.ColorScale;
import dev.brink.robust.report.chart.HeatMap;
import dev.brink.robust.report.chart.LineChart;

import java.awt.Color;

import java.io.IOException;
import java.util.List;

/** The PNG figures of the analyses, drawn with the chart library (robust/report/chart). */
final class Figures {
    private Figures() {}

    static void surface(AnalysisOutput out, String kind, DecisionSurface.Surface s, double[][] trajectory) throws IOException {
        String axisU = kind.equals("random") ? "alpha (random direction u, L2)" : "alpha (" + kind + " attack direction u, L2)";
        String axisV = "beta (random direction v, L2)";
        HeatMap d = new HeatMap("decision surface d(x + alpha u + beta v), u: " + kind, axisU, axisV, s.axis(), s.axis(), s.decision())
                .colorScale(ColorScale.symmetric(maxAbs(s.decision()))).valueLabel("d = z_y - max_{j!=y} z_j")
                .contour(0, "d = 0", Color.BLACK);
        HeatMap l = new HeatMap("cross-entropy loss on the plane, u: " + kind, axisU, axisV, s.axis(), s.axis(), s.loss()).valueLabel("cross-entropy");
        if (trajectory.length > 0) {
            double[] tx = new double[trajectory.length], ty = new double[trajectory.length];
            for (int k = 0; k < trajectory.length; k++) { tx[k] = trajectory[k][0]; ty[k] = trajectory[k][1]; }
            d.trajectory("L2 PGD iterates", tx, ty, new Color(0x1a9850));
            l.trajectory("L2 PGD iterates", tx, ty, Color.WHITE);
        }
        d.point("x", 0, 0, Color.BLACK);
        l.point("x", 0, 0, Color.WHITE);
        out.png("surface-" + kind + ".png", "decision surface d on the " + kind + " plane (red: d > 0, correct; blue: d < 0, another class wins) with the d = 0 contour and L2 PGD's iterates (green)",
                d.render(760, 620));
        out.png("loss-" + kind + ".png", "cross-entropy loss on the " + kind + " plane with L2 PGD's iterates", l.render(760, 620));
    }

    static void parameterSurface(AnalysisOutput out, double[] axis1, double[][] curve, double[] axis2, double[][] surface) throws IOException {
        double[] loss = new double[curve.length], acc = new double[curve.length];
        for (int k = 0; k < curve.length; k++) { loss[k] = curve[k][0]; acc[k] = curve[k][1]; }
        out.png("param-curve.png", "mean cross-entropy and accuracy along a filter-normalized random direction in parameter space",
                new LineChart("loss along a filter-normalized direction (Li et al.)", "alpha", "loss / accuracy")
                        .add("cross-entropy", axis1, loss).add("accuracy", axis1, acc).render(720, 480));
        if (surface != null)
            out.png("param-surface.png", "mean cross-entropy on a plane of two filter-normalized random directions in parameter space",
                    new HeatMap("loss in parameter space (Yu et al. Fig. 2)", "alpha (d1)", "beta (d2)", axis2, axis2, surface)
                            .valueLabel("cross-entropy").point("trained weights", 0, 0, Color.WHITE).render(760, 620));
    }

    private static double maxAbs(double[][] v) {
        double m = 0;
        for (double[] r : v) for (double x : r) if (Double.isFinite(x)) m = Math.max(m, Math.abs(x));
        return m;
    }

    static void spectrum(AnalysisOutput out, List<InputDerivatives.Sample> samples, boolean full, int top) throws IOException {
        LineChart p = new LineChart(full ? "input-Hessian spectra (log10 |eigenvalue|, by rank)" : "top input-Hessian eigenvalues (Lanczos)",
                "rank", "log10 |eigenvalue|");
        for (int i = 0; i < Math.min(samples.size(), 8); i++) {
            double[] e = full ? samples.get(i).spectrum() : samples.get(i).lanczos();
            double[] x = new double[e.length], y = new double[e.length];
            for (int k = 0; k < e.length; k++) { x[k] = k + 1; y[k] = Math.log10(Math.max(1e-12, Math.abs(e[k]))); }
            p.add("sample " + i, x, y);
        }
        out.png("spectrum.png", "input-Hessian eigenvalue magnitudes by rank (log10, floored at 1e-12)", p.render(720, 480));
    }

    static void certified(AnalysisOutput out, List<CertifiedMargins.Point> points) throws IOException {
        List<CertifiedMargins.Point> c = points.stream().filter(p -> p.logitMargin() > 0 && Double.isFinite(p.deepfool()))
                .sorted((a, b) -> Double.compare(a.deepfool(), b.deepfool())).toList();
        double[] x = new double[c.size()], df = new double[c.size()], cert = new double[c.size()], eff = new double[c.size()], cl = new double[c.size()];
        for (int i = 0; i < c.size(); i++) {
            x[i] = i;
            df[i] = c.get(i).deepfool();
            cert[i] = c.get(i).certified();
            eff[i] = c.get(i).effective();
            cl[i] = Double.isNaN(c.get(i).clever()) ? 0 : c.get(i).clever();
        }
        out.png("certified.png", "per correctly classified point (sorted by DeepFool distance): DeepFool L2, effective margin, CLEVER and the certified radius",
                new LineChart("empirical and certified L2 margins", "point (sorted by DeepFool distance)", "L2 distance")
                        .add("DeepFool", x, df).add("effective margin", x, eff).add("CLEVER", x, cl).add("certified (spectral norms)", x, cert).render(720, 480));
    }
}
