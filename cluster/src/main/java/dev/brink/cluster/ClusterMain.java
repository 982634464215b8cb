package dev.brink.cluster;

import picocli.CommandLine;

/**
 * Entry point of the cluster jar ({@code cluster/target/brink-cluster.jar}): {@code eval-cluster ARGS...}, as
 * {@code ./brink eval-cluster} and {@code spark-submit --class dev.brink.cluster.ClusterMain} call it.
 */
public final class ClusterMain {
    private ClusterMain() {}

    public static void main(String[] args) {
        String[] rest = args;
        if (args.length > 0 && args[0].equals("eval-cluster")) rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        CommandLine cl = new CommandLine(new EvalClusterCommand()).setCommandName("brink eval-cluster");
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("brink eval-cluster: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (System.getenv("BRINK_DEBUG") != null) ex.printStackTrace(line.getErr());
            return 1;
        });
        System.exit(cl.execute(rest));
    }
}
