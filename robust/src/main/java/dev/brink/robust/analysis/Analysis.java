package dev.brink.robust.analysis;

import java.io.IOException;

/**
 * One analysis of a trained model on data (effective margins, decision surfaces, Jacobian and Hessian spectra,
 * attack diagnostics, pictures, ...): it reads an {@link AnalysisInput} and writes its tables (CSV), figures (PNG)
 * and summary numbers into an {@link AnalysisOutput}. Analyses are registered by name in {@link Analyses}; the
 * command line runs one with {@code brink analyze NAME[:KEY=VALUE,...] MODEL --data D}, and the model card
 * ({@code brink report}) runs several and shows their figures.
 */
@FunctionalInterface
public interface Analysis {
    /** Runs the analysis; every random choice draws from {@code in.seed()}. */
    void run(AnalysisInput in, AnalysisOutput out) throws IOException;
}
