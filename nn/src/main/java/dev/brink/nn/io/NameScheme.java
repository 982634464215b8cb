package dev.brink.nn.io;

/**
 * How the tensor names of a state dict from another framework relate to a Brink model's names
 * ({@code layers.<i>.weight}, {@code layers.<i>.body.<j>.weight}, ...). See {@link StateDictImport}.
 */
public enum NameScheme {
    /** Pick the scheme from the names: Brink names as they are, else one of the schemes below, by its telltale names. */
    AUTO,
    /** Brink's own names, unchanged. */
    BRINK,
    /**
     * A PyTorch {@code nn.Sequential}: {@code 0.weight} becomes {@code layers.0.weight}; when the file's layer
     * indices are shifted against the spec's (e.g. {@code AdaptiveAvgPool2d(1)} + {@code Flatten} are two modules
     * where the spec has one {@code global_avgpool}), the layers holding tensors are paired in order.
     */
    SEQUENTIAL,
    /**
     * torchvision's ResNet ({@code conv1}, {@code bn1}, {@code layer1.0.conv1}, {@code layer1.0.downsample.0},
     * {@code fc}), also with the {@code shortcut.<j>} and {@code linear} names of the common CIFAR ResNet code.
     */
    TORCHVISION_RESNET,
    /**
     * The WideResNet of RobustBench and TRADES ({@code conv1}, {@code block1.layer.0.bn1}, {@code convShortcut},
     * {@code bn1}, {@code fc}); the unused {@code sub_block1} of some checkpoints is ignored.
     */
    ROBUSTBENCH_WRN;

    /** Parses {@code auto}, {@code brink}, {@code sequential}, {@code torchvision-resnet}, {@code robustbench-wrn}. */
    public static NameScheme parse(String s) {
        for (NameScheme n : values()) if (n.label().equals(s.trim().toLowerCase(java.util.Locale.ROOT))) return n;
        throw new IllegalArgumentException("unknown name scheme '" + s + "'; known: auto, brink, sequential, torchvision-resnet, robustbench-wrn");
    }

    /** The scheme's command-line name, e.g. {@code torchvision-resnet}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
