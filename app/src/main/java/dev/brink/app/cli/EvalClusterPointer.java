package dev.brink.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code brink eval-cluster} as brink.jar sees it: the command lives in the cluster module
 * ({@code dev.brink.cluster.ClusterMain} in {@code cluster/target/brink-cluster.jar}), which needs Spark on the class
 * path; the {@code ./brink} launcher starts it that way before this jar is ever reached. Here it only says so, so
 * that brink.jar carries no Spark and the app module does not depend on the cluster module.
 */
@Command(name = "eval-cluster", description = "Robustness evaluation on Apache Spark (models x attacks x eps, sharded); run through ./brink, "
        + "which starts cluster/target/brink-cluster.jar with Spark on the class path (docs/scaling.md).")
public final class EvalClusterPointer implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        throw new IllegalArgumentException("eval-cluster runs from cluster/target/brink-cluster.jar with Spark on the class path: start it with ./brink eval-cluster "
                + "(make build writes both), or spark-submit --class dev.brink.cluster.ClusterMain cluster/target/brink-cluster.jar eval-cluster ... (docs/scaling.md)");
    }
}
