package dev.brink.bench.dl4j;

import static dev.brink.bench.Workloads.*;

import dev.brink.bench.Workload;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The workloads of {@link dev.brink.bench.Workloads} in DL4J 1.0.0-M2.1 (MultiLayerNetwork on nd4j-native), as a
 * DL4J user would write them. DL4J computes first derivatives only (its layers' backprop is hand-written, not
 * differentiable again), so the double-backprop IGR step, the input HVP and the exact EMR step are {@code n/a}.
 *
 * <p>Differences forced by the API, none of which changes the arithmetic much: DL4J has no plain SGD-momentum
 * updater, so the MLP uses {@link Nesterovs} (Nesterov momentum 0.9, same cost); PGD takes the input gradient from
 * {@link MultiLayerNetwork#calculateGradients}, which also computes the parameter gradients (DL4J cannot skip them);
 * the softmax of the output layer plus MCXENT is DL4J's softmax cross-entropy.
 */
public final class Dl4jWorkloads {
    private Dl4jWorkloads() {}

    private static final long SEED = 1234;

    public static List<Workload> all() {
        List<Workload> list = new ArrayList<>();
        list.add(of(MADRY_TRAIN, Dl4jWorkloads::madryTrain, 0));
        list.add(of(MADRY_PGD40, Dl4jWorkloads::madryPgd40, 0));
        list.add(Workload.unsupported(MADRY_PGD7_AT, "not written for DL4J (Brink runs its pgd-at objective, PyTorch the same loop by hand)"));
        list.add(Workload.unsupported(MADRY_IGR, "DL4J cannot differentiate a gradient (no double backprop)"));
        list.add(Workload.unsupported(MADRY_JACREG, "DL4J cannot differentiate a gradient (no double backprop)"));
        list.add(Workload.unsupported(MADRY_HVP, "DL4J cannot differentiate a gradient (no Hessian-vector products)"));
        list.add(Workload.unsupported(MADRY_TRADES, "not written for DL4J (the TRADES ascent needs the input gradient of a KL between two forward passes)"));
        list.add(of(MLP_TRAIN, Dl4jWorkloads::mlpTrain, 0));
        list.add(Workload.unsupported(MLP_EMR, "DL4J cannot differentiate a gradient (no double backprop)"));
        list.add(Workload.unsupported(MLP_EMR_APPROX, "DL4J cannot differentiate a gradient (no double backprop)"));
        list.add(of(GALLOWAY_TRAIN, Dl4jWorkloads::gallowayTrain, 0));
        list.add(Workload.unsupported(RESNET18_TRAIN, "not written for DL4J (its residual blocks need a ComputationGraph; only the MultiLayerNetwork models are ported)"));
        list.add(Workload.unsupported(VGG16_TRAIN, "not written for DL4J (the deep CIFAR models are compared with PyTorch only)"));
        list.add(Workload.unsupported(WRN_PGD10, "not written for DL4J (its residual blocks need a ComputationGraph; only the MultiLayerNetwork models are ported)"));
        list.add(Workload.unsupported(MADRY_APGD_CE, "not written for DL4J (no APGD; its PGD loop is madry_mnist_pgd40_b128)"));
        list.add(Workload.unsupported(MADRY_AUTOATTACK, "DL4J has no AutoAttack"));
        list.add(of(SGEMM, Dl4jWorkloads::sgemm, 1));
        return list;
    }

    private interface Setup {
        Workload.Step prepare(boolean smoke);
    }

    private static Workload of(String name, Setup setup, int flopsKind) {
        return new Workload() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Step prepare(boolean smoke) {
                return setup.prepare(smoke);
            }

            @Override
            public double flops(boolean smoke) {
                return flopsKind == 0 ? 0 : gemmFlops(smoke ? SMOKE_SGEMM_N : SGEMM_N);
            }
        };
    }

    // ------------------------------------------------------------------ data and models

    private static INDArray images(int n, int... sample) {
        long[] shape = new long[sample.length + 1];
        shape[0] = n;
        for (int i = 0; i < sample.length; i++) shape[i + 1] = sample[i];
        return Nd4j.rand(DataType.FLOAT, shape);
    }

    private static INDArray oneHotLabels(int n) {
        Random r = new Random(SEED);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, CLASSES);
        for (int i = 0; i < n; i++) y.putScalar(i, r.nextInt(CLASSES), 1.0);
        return y;
    }

    private static int w(int channels, double width) {
        return Math.max(1, (int) Math.round(channels * width));
    }

    private static NeuralNetConfiguration.ListBuilder base(IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .list();
    }

    /** Conv 1->32 5x5 pad 2, relu, maxpool 2; conv 32->64 5x5 pad 2, relu, maxpool 2; FC 3136->1024 relu; FC 1024->10. */
    static MultiLayerNetwork madry(boolean smoke) {
        double width = smoke ? SMOKE_MADRY_WIDTH : 1.0;
        MultiLayerConfiguration conf = base(new Adam(ADAM_LR))
                .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).nOut(w(32, width)).stride(1, 1).padding(2, 2).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(w(64, width)).stride(1, 1).padding(2, 2).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(w(1024, width)).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Linear 784->1024 + relu, three more 1024->1024 + relu, linear 1024->10; SGD with (Nesterov) momentum. */
    static MultiLayerNetwork mlp(boolean smoke) {
        int h = w(1024, smoke ? SMOKE_MLP_WIDTH : 1.0);
        NeuralNetConfiguration.ListBuilder b = base(new Nesterovs(SGD_LR, SGD_MOMENTUM));
        for (int i = 0; i < 4; i++) b.layer(new DenseLayer.Builder().nOut(h).activation(Activation.RELU).build());
        MultiLayerConfiguration conf = b
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(784))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Conv 3->32 8x8/2 pad 3, relu; conv 32->64 6x6/2, relu; conv 64->64 5x5, relu; linear 256->10; no biases. */
    static MultiLayerNetwork galloway(boolean smoke) {
        double width = smoke ? SMOKE_GALLOWAY_WIDTH : 1.0;
        MultiLayerConfiguration conf = base(new Adam(ADAM_LR))
                .layer(new ConvolutionLayer.Builder(8, 8).nIn(3).nOut(w(32, width)).stride(2, 2).padding(3, 3).hasBias(false).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(6, 6).nOut(w(64, width)).stride(2, 2).padding(0, 0).hasBias(false).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(w(64, width)).stride(1, 1).padding(0, 0).hasBias(false).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).hasBias(false).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(32, 32, 3))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    // ------------------------------------------------------------------ the workloads

    static Workload.Step madryTrain(boolean smoke) {
        Nd4j.getRandom().setSeed(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        MultiLayerNetwork net = madry(smoke);
        INDArray x = images(b, 1, 28, 28);
        INDArray y = oneHotLabels(b);
        return () -> {
            net.fit(x, y);
            return net.score();
        };
    }

    static Workload.Step madryPgd40(boolean smoke) {
        Nd4j.getRandom().setSeed(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        int steps = smoke ? SMOKE_PGD_STEPS : PGD_STEPS;
        MultiLayerNetwork net = madry(smoke);
        INDArray x = images(b, 1, 28, 28);
        INDArray y = oneHotLabels(b);
        INDArray lo = Transforms.max(x.sub(PGD_EPS), 0.0);
        INDArray hi = Transforms.min(x.add(PGD_EPS), 1.0);
        return () -> {
            INDArray adv = Nd4j.rand(DataType.FLOAT, x.shape()).muli(2 * PGD_EPS).subi(PGD_EPS).addi(x);
            adv = Transforms.min(Transforms.max(adv, lo, false), hi, false);
            for (int i = 0; i < steps; i++) {
                Pair<Gradient, INDArray> p = net.calculateGradients(adv, y, null, null);
                INDArray g = p.getSecond().reshape(adv.shape());
                adv = adv.addi(Transforms.sign(g, true).muli(PGD_STEP));
                adv = Transforms.min(Transforms.max(adv, lo, false), hi, false);
            }
            return adv.sumNumber().doubleValue();
        };
    }

    static Workload.Step mlpTrain(boolean smoke) {
        Nd4j.getRandom().setSeed(SEED);
        int b = smoke ? SMOKE_BATCH : MLP_BATCH;
        MultiLayerNetwork net = mlp(smoke);
        INDArray x = images(b, 784);
        INDArray y = oneHotLabels(b);
        return () -> {
            net.fit(x, y);
            return net.score();
        };
    }

    static Workload.Step gallowayTrain(boolean smoke) {
        Nd4j.getRandom().setSeed(SEED);
        int b = smoke ? SMOKE_BATCH : GALLOWAY_BATCH;
        MultiLayerNetwork net = galloway(smoke);
        INDArray x = images(b, 3, 32, 32);
        INDArray y = oneHotLabels(b);
        return () -> {
            net.fit(x, y);
            return net.score();
        };
    }

    static Workload.Step sgemm(boolean smoke) {
        Nd4j.getRandom().setSeed(SEED);
        int n = smoke ? SMOKE_SGEMM_N : SGEMM_N;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray bm = Nd4j.rand(DataType.FLOAT, n, n);
        return () -> a.mmul(bm).getDouble(0, 0);
    }
}
