package dev.brink.bench;

import java.util.List;

/**
 * The benchmark's workloads, by name, and the constants that define them; every engine (Brink here, DL4J in
 * {@code src/dl4j/java}, PyTorch in {@code bench/pytorch/workloads.py}) implements the same list.
 *
 * <ul>
 *   <li>{@code madry_mnist_train_step_b128}: conv 1->32 5x5 pad 2, relu, maxpool 2; conv 32->64 5x5 pad 2, relu,
 *       maxpool 2; linear 3136->1024, relu; linear 1024->10; softmax cross-entropy; one Adam step (lr 1e-3);
 *       batch 128 of 1x28x28.</li>
 *   <li>{@code madry_mnist_pgd40_b128}: 40 PGD L-inf steps (eps 0.3, step 0.01, uniform random start, iterate
 *       clipped to the eps-ball and to [0, 1]) on that model, batch 128; the attacked model's parameters do not
 *       require gradients (only the input gradient is needed).</li>
 *   <li>{@code madry_mnist_pgd7_at_step_b128}: one PGD-7 adversarial-training step (Madry et al.): 7 PGD L-inf
 *       steps (eps 0.3, step 0.01, uniform random start) on that model in eval mode, then one Adam step (lr 1e-3) on
 *       the cross-entropy of the adversarial batch in train mode; batch 128. Brink runs its {@code pgd-at} objective
 *       (library code: it also evaluates the last iterate and the attack's success, two extra forward passes).</li>
 *   <li>{@code madry_mnist_igr_double_backprop_step_b128}: one Adam step on CE + 10 * mean over the batch of the
 *       squared L2 norm of the input gradient of the (mean) CE, by double backprop; same model and batch.</li>
 *   <li>{@code madry_mnist_jacreg_step_b128}: one Adam step on CE + 1 * mean over the batch of the L2 norm (not
 *       squared) of the input gradient of Yu et al.'s margin d = z_y - max_{j != y} z_j, by double backprop, one
 *       train-mode forward shared by both terms (Brink: the {@code jacobian-reg:lambda=1,norm=l2} objective); same
 *       model and batch.</li>
 *   <li>{@code madry_mnist_input_hvp_b128}: one Hessian-vector product of the mean CE with respect to the input
 *       batch (reverse over reverse), v standard normal; parameters do not require gradients.</li>
 *   <li>{@code madry_mnist_trades_step_b128}: one SGD step (lr 0.01, momentum 0.9) on the TRADES loss (Zhang et
 *       al.) CE(f(x), y) + beta * KL(softmax f(x) || softmax f(x')) / B with Zhang et al.'s MNIST setting: beta 1,
 *       x' from 40 signed steps of 0.01 ascending the summed KL (clean distribution fixed, model in eval mode) from
 *       x + 0.001 * N(0, 1), each clipped to the L-inf ball of 0.3 and to [0, 1]; same model and batch.</li>
 *   <li>{@code mlp4x1024_train_step_b100}: linear 784->1024 + relu, three more 1024->1024 + relu, linear
 *       1024->10; CE; one SGD step with momentum 0.9 (lr 0.01); batch 100.</li>
 *   <li>{@code mlp4x1024_emr_exact_step_b100}: same MLP and optimizer; one step on CE + 0.1 * exact EMR, i.e.
 *       (1/B) sum_i sum_k ||d z_ik / d x_i||^2 over all 10 classes k (one backward pass per class over one forward,
 *       each with create-graph), differentiated again for the parameter gradients.</li>
 *   <li>{@code mlp4x1024_emr_approx_step_b100}: same MLP and optimizer; one step on CE + 0.1 * Liu and Chan's
 *       approximate EMR at temperature 1, (1/B) sum_i ||d (sum_k p_ik z_ik) / d x_i||^2 with p = softmax(z) detached,
 *       its forward in eval mode (separate from the CE's train-mode forward; the MLP has no batch norm, so both are
 *       the same function), one create-graph backward (Brink: the {@code emr:method=approx,lambda=0.1,t=1}
 *       objective).</li>
 *   <li>{@code galloway_cifar_cnn_train_step_b128}: conv 3->32 8x8 stride 2 pad 3, relu; conv 32->64 6x6
 *       stride 2, relu; conv 64->64 5x5, relu; linear 256->10; no biases; CE; one Adam step; batch 128 of
 *       3x32x32.</li>
 *   <li>{@code resnet18_cifar_train_step_b32}: the zoo's {@code resnet18} (He et al.'s ResNet-18, CIFAR variant:
 *       conv 3->64 3x3 pad 1, BN, relu; four stages of two basic blocks (conv 3x3, BN, relu, conv 3x3, BN, plus the
 *       input or a 1x1 conv + BN where the stride or width changes; relu), widths 64, 128, 256, 512, stride 2 at the
 *       first block of stages 2-4; global average pooling; linear 512->10 with bias; convs without bias); batch norm in
 *       train mode; CE; one SGD step with momentum 0.9 (lr 0.01); batch 32 of 3x32x32.</li>
 *   <li>{@code vgg16_cifar_train_step_b32}: the zoo's {@code vgg16-cifar} (VGG-16 with batch norm: thirteen conv
 *       3x3 pad 1 without bias, each followed by BN and relu, in stages of 64, 64 | 128, 128 | 256 x 3 | 512 x 3 | 512
 *       x 3, each stage ending in maxpool 2; linear 512->10 with bias); train mode; CE; one SGD step with momentum 0.9
 *       (lr 0.01); batch 32.</li>
 *   <li>{@code wrn_16_4_cifar_pgd10_b32}: 10 PGD L-inf steps (eps 8/255, step 2/255, uniform random start, iterate
 *       clipped to the eps-ball and to [0, 1]) on the zoo's {@code wrn-16-4} (Zagoruyko and Komodakis's
 *       pre-activation WideResNet-16-4: conv 3->16 3x3; three groups of two blocks of widths 64, 128, 256, stride 2 at
 *       the first block of groups 2 and 3; where a block changes width or stride, BN-relu before the split and a 1x1
 *       conv shortcut, else BN, relu, conv 3x3, BN, relu, conv 3x3 plus the input; final BN, relu, global average
 *       pooling, linear 256->10 with bias) in eval mode with frozen parameters; batch 32.</li>
 *   <li>{@code madry_mnist_apgd_ce100_b100}: APGD with the cross-entropy loss (Croce and Hein), 100 iterations, one
 *       restart, L-inf eps 0.3, on the Madry model in eval mode (parameters frozen) and 100 points whose labels are the
 *       model's own predictions (AutoAttack attacks only correctly classified points). Brink runs its {@code apgd}
 *       attack with every point kept for all 100 iterations, as the reference does; PyTorch runs the least any PyTorch
 *       APGD spends, a plain loop of 100 (forward, cross-entropy, input gradient, signed step, clip) on the same
 *       points.</li>
 *   <li>{@code autoattack_standard_madry_mnist_b100}: Brink's whole standard AutoAttack (APGD-CE, APGD-T, FAB-T,
 *       Square; L-inf eps 0.3) on those 100 points; Brink only (the reference cannot be installed here); the time
 *       and model calls of each attack go to standard error.</li>
 *   <li>{@code sgemm_1024_gflops}: a 1024x1024 by 1024x1024 float32 matrix product (into a new result), reported
 *       in GFLOP/s = 2 * 1024^3 / median seconds / 1e9.</li>
 * </ul>
 * Inputs are uniform in [0, 1), labels uniform over the 10 classes, all float32.
 */
public final class Workloads {
    private Workloads() {}

    public static final String MADRY_TRAIN = "madry_mnist_train_step_b128";
    public static final String MADRY_PGD40 = "madry_mnist_pgd40_b128";
    public static final String MADRY_PGD7_AT = "madry_mnist_pgd7_at_step_b128";
    public static final String MADRY_IGR = "madry_mnist_igr_double_backprop_step_b128";
    public static final String MADRY_JACREG = "madry_mnist_jacreg_step_b128";
    public static final String MADRY_HVP = "madry_mnist_input_hvp_b128";
    public static final String MADRY_TRADES = "madry_mnist_trades_step_b128";
    public static final String MLP_TRAIN = "mlp4x1024_train_step_b100";
    public static final String MLP_EMR = "mlp4x1024_emr_exact_step_b100";
    public static final String MLP_EMR_APPROX = "mlp4x1024_emr_approx_step_b100";
    public static final String GALLOWAY_TRAIN = "galloway_cifar_cnn_train_step_b128";
    public static final String RESNET18_TRAIN = "resnet18_cifar_train_step_b32";
    public static final String VGG16_TRAIN = "vgg16_cifar_train_step_b32";
    public static final String WRN_PGD10 = "wrn_16_4_cifar_pgd10_b32";
    public static final String MADRY_APGD_CE = "madry_mnist_apgd_ce100_b100";
    public static final String MADRY_AUTOATTACK = "autoattack_standard_madry_mnist_b100";
    public static final String SGEMM = "sgemm_1024_gflops";

    /** All workloads, in the order the table lists them. */
    public static final List<String> NAMES = List.of(MADRY_TRAIN, MADRY_PGD40, MADRY_PGD7_AT, MADRY_IGR, MADRY_JACREG, MADRY_HVP,
            MADRY_TRADES, MLP_TRAIN, MLP_EMR, MLP_EMR_APPROX, GALLOWAY_TRAIN, RESNET18_TRAIN, VGG16_TRAIN, WRN_PGD10, MADRY_APGD_CE, MADRY_AUTOATTACK, SGEMM);

    /** True for the workloads reported in GFLOP/s (higher is better) rather than seconds. */
    public static boolean isGflops(String name) {
        return name.endsWith("_gflops");
    }

    public static final int CLASSES = 10;
    public static final int MADRY_BATCH = 128;
    public static final int MLP_BATCH = 100;
    public static final int GALLOWAY_BATCH = 128;
    /** Batch of the ResNet-18, VGG-16 and WRN-16-4 CIFAR workloads. */
    public static final int CIFAR_DEEP_BATCH = 32;
    /** PGD of the WRN-16-4 workload: the common CIFAR-10 L-inf setting (Madry et al.). */
    public static final int CIFAR_PGD_STEPS = 10;
    public static final double CIFAR_PGD_EPS = 8.0 / 255;
    public static final double CIFAR_PGD_STEP = 2.0 / 255;
    public static final int SMOKE_BATCH = 4;

    public static final double ADAM_LR = 1e-3;
    public static final double SGD_LR = 0.01;
    public static final double SGD_MOMENTUM = 0.9;

    public static final int PGD_STEPS = 40;
    public static final int SMOKE_PGD_STEPS = 2;
    public static final int PGD_AT_STEPS = 7;
    public static final double PGD_EPS = 0.3;
    public static final double PGD_STEP = 0.01;

    /** Zhang et al.'s MNIST TRADES setting (their train_trades_mnist.py): 40 KL steps of 0.01 in L-inf 0.3, beta 1. */
    public static final int TRADES_STEPS = 40;
    public static final double TRADES_BETA = 1.0;
    public static final double TRADES_START_SIGMA = 0.001;

    public static final double IGR_WEIGHT = 10.0;
    public static final double EMR_WEIGHT = 0.1;
    /** Weight of the Jacobian-regularization penalty (mean L2 norm of the input gradient of z_y - max_{j!=y} z_j). */
    public static final double JACREG_WEIGHT = 1.0;
    /** Temperature of the approximate EMR's softmax weights. */
    public static final double EMR_TEMPERATURE = 1.0;

    /** APGD and AutoAttack workloads: points and iterations. */
    public static final int APGD_BATCH = 100;
    public static final int APGD_STEPS = 100;
    public static final int SMOKE_APGD_STEPS = 3;

    public static final int SGEMM_N = 1024;
    public static final int SMOKE_SGEMM_N = 64;

    /** Width multipliers of the smoke sizes (Madry: convs 2 and 4, FC 64; MLP 64 units; Galloway: 4, 8, 8). */
    public static final double SMOKE_MADRY_WIDTH = 1.0 / 16;
    public static final double SMOKE_MLP_WIDTH = 1.0 / 16;
    public static final double SMOKE_GALLOWAY_WIDTH = 1.0 / 8;
    /** Width multiplier of the ResNet-18, VGG-16 and WRN-16-4 smoke sizes. */
    public static final double SMOKE_DEEP_WIDTH = 1.0 / 16;

    /** 2 n^3 for an n x n by n x n product. */
    public static double gemmFlops(int n) {
        return 2.0 * n * n * n;
    }
}
