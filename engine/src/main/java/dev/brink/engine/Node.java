package dev.brink.engine;

import java.util.Arrays;

/**
 * One recorded application of an op in the autodiff graph. {@code next[i]} is the node that receives the
 * gradient for input i (null where that input needs none). A leaf node stands for a tensor created by the user
 * with {@code requiresGrad} and has no rule. The rule is dropped when the graph is freed by a backward pass
 * without {@code retainGraph}, which releases the tensors it saved.
 */
final class Node {
    final String op;
    final Node[] next;
    final int[][] inputShapes;
    final int[] outputShape;
    final Tensor leaf;
    /** Null for leaves and once the graph has been freed. */
    BackwardRule rule;

    Node(String op, Node[] next, int[][] inputShapes, int[] outputShape, BackwardRule rule) {
        this.op = op;
        this.next = next;
        this.inputShapes = inputShapes;
        this.outputShape = outputShape;
        this.rule = rule;
        this.leaf = null;
    }

    Node(Tensor leaf) {
        this.op = "leaf";
        this.next = new Node[0];
        this.inputShapes = new int[0][];
        this.outputShape = leaf.shape();
        this.rule = null;
        this.leaf = leaf;
    }

    boolean isLeaf() {
        return leaf != null;
    }

    String describe() {
        StringBuilder sb = new StringBuilder("op '").append(op).append("' (inputs ");
        for (int i = 0; i < inputShapes.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(Arrays.toString(inputShapes[i]));
        }
        return sb.append(" -> output ").append(Arrays.toString(outputShape)).append(')').toString();
    }
}
