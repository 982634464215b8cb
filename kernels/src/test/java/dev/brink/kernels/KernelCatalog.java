package dev.brink.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * Every kernel of src/main/cuda with the emulated test that covers it (docs/kernels.md lists the same). The
 * inventory test checks that this list, the kernels the emulator registered and the entries nvcc wrote to PTX
 * are the same set, and that each test really launches its kernels.
 */
final class KernelCatalog {
    /** A kernel, the test class and method that launch it. */
    record Entry(String kernel, Class<?> test, String method) {}

    private KernelCatalog() {}

    private static final String[] ALL = {"f32", "f64", "i32"};
    private static final String[] FLOATS = {"f32", "f64"};

    static final List<Entry> ENTRIES = build();

    private static List<Entry> build() {
        List<Entry> e = new ArrayList<>();
        add(e, "fill_", ALL, ElementwiseKernelTest.class, "fillWritesStridedViewsInEveryDtype");
        for (String s : ALL) add(e, "copy_" + s + "_", ALL, ElementwiseKernelTest.class, "copyConvertsBetweenEveryPairOfDtypesWithBroadcasting");
        add(e, "unary_", FLOATS, ElementwiseKernelTest.class, "everyUnaryKernelInFloat32AndFloat64");
        add(e, "binary_", ALL, ElementwiseKernelTest.class, "everyBinaryKernelInEveryDtypeWithBroadcasting");
        add(e, "where_", ALL, ElementwiseKernelTest.class, "whereInEveryDtype");
        add(e, "reduce_block_", ALL, ReduceKernelTest.class, "everyReductionInEveryDtypeOverSeveralAxisSets");
        add(e, "reduce_thread_", ALL, ReduceKernelTest.class, "everyReductionInEveryDtypeOverSeveralAxisSets");
        add(e, "argreduce_", ALL, ReduceKernelTest.class, "argReductionsPickTheFirstNanOrTheFirstExtreme");
        add(e, "gather_", ALL, IndexingKernelTest.class, "gatherInEveryDtypeAlongEachAxis");
        add(e, "scatter_add_", ALL, IndexingKernelTest.class, "scatterAddAccumulatesRepeatedIndicesInEveryDtype");
        add(e, "maxpool2d_indices_", FLOATS, PoolKernelTest.class, "maxPoolSwitchesMatchTheCpu");
        add(e, "cumsum_", ALL, ScanKernelTest.class, "cumsumInEveryDtypeBothDirections");
        add(e, "argsort_load_", ALL, ScanKernelTest.class, "argsortIsStableWithNanLastInEveryDtype");
        e.add(new Entry("argsort_merge", ScanKernelTest.class, "argsortIsStableWithNanLastInEveryDtype"));
        e.add(new Entry("argsort_store", ScanKernelTest.class, "argsortIsStableWithNanLastInEveryDtype"));
        e.add(new Entry("random_uniform_f32", RandomKernelTest.class, "uniformsAreBitExact"));
        e.add(new Entry("random_uniform_f64", RandomKernelTest.class, "uniformsAreBitExact"));
        e.add(new Entry("random_normal_f32", RandomKernelTest.class, "normalsAndStridedOutputsMatchTheCpu"));
        e.add(new Entry("random_normal_f64", RandomKernelTest.class, "normalsAndStridedOutputsMatchTheCpu"));
        add(e, "gemm_", FLOATS, GemmKernelTest.class, "builtInGemmKernel");
        add(e, "conv2d_fwd_", FLOATS, ConvKernelTest.class, "forwardInputGradAndWeightGradMatchTheCpu");
        add(e, "conv2d_bwd_data_", FLOATS, ConvKernelTest.class, "forwardInputGradAndWeightGradMatchTheCpu");
        add(e, "conv2d_bwd_filter_", FLOATS, ConvKernelTest.class, "forwardInputGradAndWeightGradMatchTheCpu");
        add(e, "sign_step_", FLOATS, AttackKernelTest.class, "signStep");
        add(e, "sgd_step_", FLOATS, OptimizerKernelTest.class, "sgdMatchesTheCpu");
        add(e, "adam_step_", FLOATS, OptimizerKernelTest.class, "adamMatchesTheCpu");
        add(e, "l2_step_", FLOATS, AttackKernelTest.class, "l2Step");
        add(e, "project_linf_", FLOATS, AttackKernelTest.class, "projectLinf");
        add(e, "project_l2_", FLOATS, AttackKernelTest.class, "projectL2");
        add(e, "project_l1_", FLOATS, AttackKernelTest.class, "projectL1");
        add(e, "cross_entropy_", FLOATS, LossKernelTest.class, "perSampleCrossEntropyWithLabelSmoothing");
        add(e, "emr_seeds_", FLOATS, EmrKernelTest.class, "seedsAreOneHotBlocks");
        add(e, "row_sqnorm_", FLOATS, EmrKernelTest.class, "rowSquaredNormsOfLongRowsAndABadLabel");
        add(e, "emr_pair_sqnorm_", FLOATS, EmrKernelTest.class, "oneBackwardPassWithTheSeedsGivesEveryJacobianRow");
        return List.copyOf(e);
    }

    private static void add(List<Entry> e, String prefix, String[] suffixes, Class<?> test, String method) {
        for (String s : suffixes) e.add(new Entry(prefix + s, test, method));
    }
}
