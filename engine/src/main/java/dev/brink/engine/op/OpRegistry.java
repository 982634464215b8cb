package dev.brink.engine.op;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every op of the engine, in one list: adding an op means adding its definition here (one line). The
 * gradient-check coverage test walks this list and fails for any differentiable op without both a first- and a
 * second-order finite-difference check, and for any op without a PyTorch reference case.
 */
public final class OpRegistry {
    private static final List<OpDef> ALL;

    static {
        List<OpDef> ops = new ArrayList<>();
        for (UnaryOp u : UnaryOp.values()) ops.add(u.def());
        for (BinaryOp b : BinaryOp.values()) ops.add(b.def());
        ops.addAll(List.of(
                Comparison.EQ, Comparison.NE, Comparison.LT, Comparison.LE, Comparison.GT, Comparison.GE,
                Where.DEF, Where.CLAMP,
                Reduction.SUM, Reduction.MEAN, Reduction.AMAX, Reduction.AMIN, Reduction.ARGMAX, Reduction.ARGMIN,
                Reduction.SUM_TO_SHAPE,
                View.RESHAPE, View.PERMUTE, View.EXPAND, View.SLICE, View.EMBED, View.CONTIGUOUS, View.CAST,
                Join.CONCAT, Join.STACK,
                Indexing.GATHER, Indexing.SCATTER_ADD, Indexing.INDEX_SELECT, Indexing.ONE_HOT,
                MatMul.DEF,
                Convolution.CONV2D, Convolution.CONV2D_RELU, Convolution.INPUT_GRAD, Convolution.WEIGHT_GRAD, Convolution.CONV_TRANSPOSE2D,
                Pooling.MAX_POOL2D, Pooling.AVG_POOL2D, Pooling.GLOBAL_AVG_POOL2D,
                BatchNorm.DEF, ChannelOps.NORMALIZE, ChannelOps.NORMALIZE_RELU, ChannelOps.VARIANCE, ChannelOps.CENTERED_DOT, ChannelOps.COMBINE, Dropout.DEF,
                Softmax.LOGSUMEXP, Softmax.LOG_SOFTMAX, Softmax.SOFTMAX,
                Loss.CROSS_ENTROPY, Loss.KL_DIV, Loss.SOFT_MARGIN, Loss.BCE_WITH_LOGITS, Loss.MSE,
                Norm.L1, Norm.L2, Norm.LINF,
                Scan.CUMSUM, Scan.ARGSORT, Scan.SORT, Scan.TOPK,
                AttackStep.SIGN_STEP, AttackStep.L2_STEP, AttackStep.PROJECT_LINF, AttackStep.PROJECT_L2, AttackStep.PROJECT_L1,
                JacobianRowOps.ROW_SQUARED_NORMS, JacobianRowOps.EMR_PAIR_SQUARED_NORMS));
        ALL = Collections.unmodifiableList(ops);
    }

    private OpRegistry() {}

    /** All registered ops. */
    public static List<OpDef> all() {
        return ALL;
    }

    /** The op called {@code name}, or an exception listing the known names. */
    public static OpDef get(String name) {
        for (OpDef d : ALL) if (d.name().equals(name)) return d;
        throw new IllegalArgumentException("unknown op '" + name + "'");
    }
}
