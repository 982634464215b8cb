package dev.brink.nn.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.engine.Generator;
import dev.brink.nn.spec.ModelSpec;
import dev.brink.nn.spec.SpecBuilder;
import dev.brink.nn.spec.SpecModel;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The models of the papers in {@code ../shared/seeds}, each a named spec (so a model file can always rebuild it)
 * citing its source. {@link Options} scale the width and change the input shape or class count, so small versions
 * of every model can be tested; the defaults are the papers' sizes.
 *
 * <p>Where a paper leaves a detail open, the choice made is stated in the model's source line.
 */
public final class Zoo {
    /** Variations of a zoo model: class count, width multiplier (channels and hidden units), input shape, normalization. */
    public record Options(int classes, double width, int[] input, double[] normalizeMean, double[] normalizeStd) {
        public static final Options DEFAULT = new Options(10, 1.0, null, null, null);

        /** @throws IllegalArgumentException for fewer than one class, or a width that is not a positive finite number */
        public Options {
            if (classes < 1) throw new IllegalArgumentException("a zoo model needs at least 1 class, got " + classes);
            if (!(width > 0) || Double.isInfinite(width))
                throw new IllegalArgumentException("the width multiplier must be a positive number, got " + width);
        }

        public Options withWidth(double w) {
            return new Options(classes, w, input, normalizeMean, normalizeStd);
        }

        public Options withInput(int... shape) {
            return new Options(classes, width, shape, normalizeMean, normalizeStd);
        }

        public Options withClasses(int k) {
            return new Options(k, width, input, normalizeMean, normalizeStd);
        }

        /** Adds per-channel input normalization as the first layer. */
        public Options withNormalization(double[] mean, double[] std) {
            return new Options(classes, width, input, mean, std);
        }

        int w(int channels) {
            return Math.max(1, (int) Math.round(channels * width));
        }
    }

    /** CIFAR-10 per-channel mean and standard deviation of the training set, for {@link Options#withNormalization}. */
    public static final double[] CIFAR10_MEAN = {0.4914, 0.4822, 0.4465};
    public static final double[] CIFAR10_STD = {0.2470, 0.2435, 0.2616};

    private static final Pattern WRN = Pattern.compile("wrn-(\\d+)-(\\d+)");
    private static final Pattern VGG = Pattern.compile("vgg(\\d+)-cifar");

    private Zoo() {}

    /** The zoo's model names ({@code wrn-D-W} and {@code vggN-cifar} accept other depths and widths). */
    public static List<String> names() {
        return List.of("logreg", "mlp-4x1024", "shaham-mnist", "madry-mnist", "yu-mnist", "galloway-cifar", "emr-cnn",
                "yu-cifar", "vgg-cifar", "vgg16-cifar", "resnet18", "wrn-34-10", "wrn-28-10", "wrn-32-10");
    }

    /** Builds a zoo model with weights drawn from {@code gen}. */
    public static SpecModel build(String name, Options opt, Generator gen) {
        return ModelSpec.build(spec(name, opt), gen);
    }

    /** The spec of a zoo model. */
    public static JsonNode spec(String name, Options opt) {
        String n = name.toLowerCase(Locale.ROOT);
        Matcher wrn = WRN.matcher(n);
        if (wrn.matches()) return wideResNet(Integer.parseInt(wrn.group(1)), Integer.parseInt(wrn.group(2)), opt);
        Matcher vgg = VGG.matcher(n);
        if (vgg.matches()) return vgg(Integer.parseInt(vgg.group(1)), opt);
        return switch (n) {
            case "logreg" -> logreg(opt);
            case "mlp-4x1024" -> mlp(opt);
            case "shaham-mnist" -> shahamMnist(opt);
            case "madry-mnist" -> madryMnist(opt);
            case "yu-mnist" -> yuMnist(opt);
            case "galloway-cifar" -> gallowayCifar(opt);
            case "emr-cnn" -> emrCnn(opt);
            case "yu-cifar" -> yuCifar(opt);
            case "vgg-cifar" -> vgg(16, opt);
            case "resnet18" -> resNet18(opt);
            default -> throw new IllegalArgumentException("unknown zoo model '" + name + "'; known: " + names() + " (wrn-D-W for any depth D = 6n+4, or 6n+2 in Madry et al.'s counting, and width W)");
        };
    }

    private static SpecBuilder start(Options opt, int[] dflt, String name, String source) {
        SpecBuilder b = SpecBuilder.input(opt.input() != null ? opt.input() : dflt).name(name, source);
        if (opt.normalizeMean() != null) b.layers().normalize(opt.normalizeMean(), opt.normalizeStd());
        return b;
    }

    private static final int[] MNIST = {1, 28, 28};
    private static final int[] CIFAR = {3, 32, 32};

    /** Binary logistic regression, one logit: Galloway et al., MNIST 3 vs 7. */
    static JsonNode logreg(Options opt) {
        SpecBuilder b = start(opt, MNIST, "logreg", "Galloway et al., Sec. 3: binary logistic regression, sigmoid(w.x + b), one logit");
        b.layers().flatten().linear(1, true);
        return b.build();
    }

    /** MLP with 4 hidden layers of 1024 ReLU units: Liu and Chan, Sec. 4 and supplement. */
    static JsonNode mlp(Options opt) {
        SpecBuilder b = start(opt, MNIST, "mlp-4x1024", "Liu and Chan, Sec. 4: MLP, 4 hidden layers of 1024, ReLU");
        SpecBuilder.Layers l = b.layers().flatten();
        for (int i = 0; i < 4; i++) l.linear(opt.w(1024), true).relu();
        l.linear(opt.classes(), true);
        return b.build();
    }

    /** Shaham et al., Sec. 5: conv 32 5x5, max-pool 3x3, conv 64 5x5, max-pool 2x2, FC 200, FC 10. */
    static JsonNode shahamMnist(Options opt) {
        SpecBuilder b = start(opt, MNIST, "shaham-mnist", "Shaham et al., Sec. 5 baseline net; padding 'same' (2) and pool stride = pool size are Brink's reading");
        b.layers().conv(opt.w(32), 5, 1, 2, true).relu().maxpool(3, 3)
                .conv(opt.w(64), 5, 1, 2, true).relu().maxpool(2, 2)
                .flatten().linear(opt.w(200), true).relu().linear(opt.classes(), true);
        return b.build();
    }

    /** Li et al., Sec. 5, after Madry et al.: conv 32 and 64 5x5 (pad 2) each with 2x2 max-pool, FC 1024. */
    static JsonNode madryMnist(Options opt) {
        SpecBuilder b = start(opt, MNIST, "madry-mnist", "Li et al., Sec. 5, the Madry et al. MNIST model");
        b.layers().conv(opt.w(32), 5, 1, 2, true).relu().maxpool(2, 2)
                .conv(opt.w(64), 5, 1, 2, true).relu().maxpool(2, 2)
                .flatten().linear(opt.w(1024), true).relu().linear(opt.classes(), true);
        return b.build();
    }

    /** Yu et al., appendix: "two convolutional layers and two fully connected layers". */
    static JsonNode yuMnist(Options opt) {
        SpecBuilder b = start(opt, MNIST, "yu-mnist", "Yu et al., appendix: two conv + two FC; sizes (conv 32/64 3x3, 2x2 pools, FC 128) are Brink's choice, the paper gives none");
        b.layers().conv(opt.w(32), 3, 1, 1, true).relu().maxpool(2, 2)
                .conv(opt.w(64), 3, 1, 1, true).relu().maxpool(2, 2)
                .flatten().linear(opt.w(128), true).relu().linear(opt.classes(), true);
        return b.build();
    }

    /** Galloway et al., Table 1: no biases, no batch norm, no pooling. */
    static JsonNode gallowayCifar(Options opt) {
        SpecBuilder b = start(opt, CIFAR, "galloway-cifar", "Galloway et al., Table 1: conv 8x8/2 (pad 3), 6x6/2, 5x5/1, FC 256->10, ReLU, no biases");
        b.layers().conv(opt.w(32), 8, 2, 3, false).relu()
                .conv(opt.w(64), 6, 2, 0, false).relu()
                .conv(opt.w(64), 5, 1, 0, false).relu()
                .flatten().linear(opt.classes(), false);
        return b.build();
    }

    /** Liu and Chan, supplement Table 5. */
    static JsonNode emrCnn(Options opt) {
        SpecBuilder b = start(opt, CIFAR, "emr-cnn", "Liu and Chan, supplement Table 5: conv 5x5 32, 5x5 64, avg-pool 2, conv 3x3 128, 3x3 128, global avg-pool, linear; ReLU");
        b.layers().conv(opt.w(32), 5, 1, 0, true).relu()
                .conv(opt.w(64), 5, 1, 0, true).relu().avgpool(2, 2)
                .conv(opt.w(128), 3, 1, 0, true).relu()
                .conv(opt.w(128), 3, 1, 0, true).relu()
                .globalAvgPool().linear(opt.classes(), true);
        return b.build();
    }

    /** Yu et al., appendix: "a regular ConvNet with five convolutional layers and one global average pooling layer". */
    static JsonNode yuCifar(Options opt) {
        SpecBuilder b = start(opt, CIFAR, "yu-cifar", "Yu et al., appendix: five convs + global average pooling; channels 64-128-128-256 3x3 (two stride 2) and a 1x1 class conv are Brink's choice");
        b.layers().conv(opt.w(64), 3, 1, 1, true).relu()
                .conv(opt.w(128), 3, 2, 1, true).relu()
                .conv(opt.w(128), 3, 1, 1, true).relu()
                .conv(opt.w(256), 3, 2, 1, true).relu()
                .conv(opt.classes(), 1, 1, 0, true)
                .globalAvgPool();
        return b.build();
    }

    /** VGG with batch norm, CIFAR variant (3x3 convs, 5 max-pools, one linear classifier on 512 features). */
    static JsonNode vgg(int depth, Options opt) {
        int[][] cfg = switch (depth) {
            case 11 -> new int[][] {{64}, {128}, {256, 256}, {512, 512}, {512, 512}};
            case 13 -> new int[][] {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}};
            case 16 -> new int[][] {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
            case 19 -> new int[][] {{64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512}, {512, 512, 512, 512}};
            default -> throw new IllegalArgumentException("vgg depth must be 11, 13, 16 or 19, got " + depth);
        };
        SpecBuilder b = start(opt, CIFAR, "vgg" + depth + "-cifar", "VGG-" + depth + " with batch norm, CIFAR variant (Simonyan and Zisserman; a common CIFAR baseline)");
        SpecBuilder.Layers l = b.layers();
        for (int[] stage : cfg) {
            for (int c : stage) l.conv(opt.w(c), 3, 1, 1, false).batchnorm().relu();
            l.maxpool(2, 2);
        }
        l.flatten().linear(opt.classes(), true);
        return b.build();
    }

    /** ResNet-18, CIFAR variant (3x3 stem, no max-pool), as used by Liu and Chan following Madry et al. and TRADES. */
    static JsonNode resNet18(Options opt) {
        SpecBuilder b = start(opt, CIFAR, "resnet18", "Liu and Chan, Sec. 5: ResNet-18 (He et al.), CIFAR variant with a 3x3 stem");
        SpecBuilder.Layers l = b.layers().conv(opt.w(64), 3, 1, 1, false).batchnorm().relu();
        int in = opt.w(64);
        int[] planes = {64, 128, 256, 512};
        for (int s = 0; s < 4; s++) {
            for (int blk = 0; blk < 2; blk++) {
                int out = opt.w(planes[s]);
                int stride = blk == 0 && s > 0 ? 2 : 1;
                SpecBuilder.Layers body = SpecBuilder.list().conv(out, 3, stride, 1, false).batchnorm().relu().conv(out, 3, 1, 1, false).batchnorm();
                SpecBuilder.Layers shortcut = SpecBuilder.list();
                if (stride != 1 || in != out) shortcut.conv(out, 1, stride, 0, false).batchnorm();
                l.residual(body, shortcut).relu();
                in = out;
            }
        }
        l.globalAvgPool().linear(opt.classes(), true);
        return b.build();
    }

    /**
     * WideResNet-D-W (Zagoruyko and Komodakis), pre-activation basic blocks, (D-4)/6 blocks per group, widths
     * 16, 16W, 32W, 64W: Liu and Chan use WRN-34-10, Galloway et al. WRN-32-10, TRADES WRN-28-10. Where a block changes width,
     * its BN-ReLU is applied before the split, so the 1x1 shortcut sees the activated input, as in the reference code.
     */
    static JsonNode wideResNet(int depth, int widen, Options opt) {
        // Zagoruyko and Komodakis count depth as 6n+4; Madry et al.'s CIFAR-10 challenge code (Galloway et al.'s "32-layer
        // WideResNet") counts 6n+2 for the same network, so wrn-32-10 is the network others call WRN-34-10.
        int n;
        String counting;
        if (depth >= 10 && (depth - 4) % 6 == 0) {
            n = (depth - 4) / 6;
            counting = "";
        } else if (depth >= 8 && (depth - 2) % 6 == 0) {
            n = (depth - 2) / 6;
            counting = "; depth counted as in Madry et al.'s CIFAR-10 challenge model (6n+2), i.e. WRN-" + (6 * n + 4) + "-" + widen + " in 6n+4 counting";
        } else {
            throw new IllegalArgumentException("wrn depth must be 6n+4 (10, 16, 22, 28, 34, ...) or, in Madry et al.'s counting, 6n+2 (32, ...), got " + depth);
        }
        if (widen < 1) throw new IllegalArgumentException("wrn width must be >= 1, got " + widen);
        SpecBuilder b = start(opt, CIFAR, "wrn-" + depth + "-" + widen, "WideResNet-" + depth + "-" + widen
                + " (Zagoruyko and Komodakis 2016), pre-activation, " + n + " blocks per group; Galloway et al., Liu and Chan" + counting);
        SpecBuilder.Layers l = b.layers().conv(opt.w(16), 3, 1, 1, false);
        int in = opt.w(16);
        int[] widths = {opt.w(16 * widen), opt.w(32 * widen), opt.w(64 * widen)};
        for (int g = 0; g < 3; g++) {
            for (int blk = 0; blk < n; blk++) {
                int out = widths[g];
                int stride = blk == 0 && g > 0 ? 2 : 1;
                if (in == out && stride == 1) {
                    l.residual(SpecBuilder.list().batchnorm().relu().conv(out, 3, 1, 1, false).batchnorm().relu().conv(out, 3, 1, 1, false),
                            SpecBuilder.list());
                } else {
                    l.batchnorm().relu().residual(
                            SpecBuilder.list().conv(out, 3, stride, 1, false).batchnorm().relu().conv(out, 3, 1, 1, false),
                            SpecBuilder.list().conv(out, 1, stride, 0, false));
                }
                in = out;
            }
        }
        l.batchnorm().relu().globalAvgPool().linear(opt.classes(), true);
        return b.build();
    }
}
