package dev.brink.bench;

import static dev.brink.bench.Workloads.*;

import dev.brink.engine.Autograd;
import dev.brink.engine.GradOptions;
import dev.brink.engine.DType;
import dev.brink.engine.Derivatives;
import dev.brink.engine.F;
import dev.brink.engine.Generator;
import dev.brink.engine.GradMode;
import dev.brink.engine.Tensor;
import dev.brink.engine.TensorScope;
import dev.brink.nn.Module;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.Objective;
import dev.brink.nn.train.TrainingContext;
import dev.brink.robust.eval.AttackSpec;
import dev.brink.robust.train.InnerAttack;
import dev.brink.robust.train.PgdAdversarialTraining;
import dev.brink.robust.train.ObjectiveSetup;
import dev.brink.robust.train.Objectives;
import dev.brink.nn.optim.Adam;
import dev.brink.nn.optim.Optimizer;
import dev.brink.nn.optim.Sgd;
import dev.brink.nn.data.Batch;
import dev.brink.nn.train.TrainingContext;
import dev.brink.nn.zoo.Zoo;
import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Attacks;
import dev.brink.robust.attack.Classifier;
import dev.brink.robust.attack.Goal;
import dev.brink.robust.attack.Norm;
import dev.brink.robust.autoattack.AutoAttack;
import dev.brink.robust.autoattack.AutoAttackVersion;
import dev.brink.robust.attack.ThreatModel;
import dev.brink.robust.train.InnerPgd;
import dev.brink.robust.train.TradesObjective;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The workloads of {@link Workloads} on Brink: models from the {@link Zoo} ({@code madry-mnist},
 * {@code mlp-4x1024}, {@code galloway-cifar}, {@code resnet18}, {@code vgg16-cifar}, {@code wrn-16-4}, which are
 * exactly the definitions in {@link Workloads}), the engine's autodiff
 * and the nn optimizers, used as a Brink user would.
 */
public final class BrinkWorkloads {
    private BrinkWorkloads() {}

    private static final long SEED = 1234;

    /** All of them, in {@link Workloads#NAMES} order. */
    public static List<Workload> all() {
        List<Workload> list = new ArrayList<>();
        list.add(of(MADRY_TRAIN, BrinkWorkloads::madryTrain));
        list.add(of(MADRY_PGD40, BrinkWorkloads::madryPgd40));
        list.add(of(MADRY_PGD7_AT, BrinkWorkloads::madryPgd7At));
        list.add(of(MADRY_IGR, BrinkWorkloads::madryIgr));
        list.add(of(MADRY_JACREG, BrinkWorkloads::madryJacReg));
        list.add(of(MADRY_HVP, BrinkWorkloads::madryHvp));
        list.add(of(MADRY_TRADES, BrinkWorkloads::madryTrades));
        list.add(of(MLP_TRAIN, BrinkWorkloads::mlpTrain));
        list.add(of(MLP_EMR, BrinkWorkloads::mlpEmr));
        list.add(of(MLP_EMR_APPROX, BrinkWorkloads::mlpEmrApprox));
        list.add(of(GALLOWAY_TRAIN, BrinkWorkloads::gallowayTrain));
        list.add(of(RESNET18_TRAIN, smoke -> deepCifarTrain("resnet18", smoke)));
        list.add(of(VGG16_TRAIN, smoke -> deepCifarTrain("vgg16-cifar", smoke)));
        list.add(of(WRN_PGD10, BrinkWorkloads::wrnPgd10));
        list.add(of(MADRY_APGD_CE, BrinkWorkloads::madryApgdCe));
        list.add(of(MADRY_AUTOATTACK, BrinkWorkloads::madryAutoAttack));
        list.add(new Workload() {
            @Override
            public String name() {
                return SGEMM;
            }

            @Override
            public Step prepare(boolean smoke) {
                return sgemm(smoke);
            }

            @Override
            public double flops(boolean smoke) {
                return gemmFlops(smoke ? SMOKE_SGEMM_N : SGEMM_N);
            }
        });
        return list;
    }

    private interface Setup {
        Workload.Step prepare(boolean smoke);
    }

    private static Workload of(String name, Setup setup) {
        return new Workload() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Step prepare(boolean smoke) {
                return setup.prepare(smoke);
            }
        };
    }

    // ------------------------------------------------------------------ data and models

    private static Tensor images(Generator gen, int n, int... sample) {
        int[] shape = new int[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return Tensor.rand(gen, DType.FLOAT32, shape);
    }

    private static Tensor labels(int n) {
        Random r = new Random(SEED);
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = r.nextInt(CLASSES);
        return Tensor.ofInts(y, n);
    }

    private static Module madry(boolean smoke, Generator gen) {
        return Zoo.build("madry-mnist", Zoo.Options.DEFAULT.withWidth(smoke ? SMOKE_MADRY_WIDTH : 1.0), gen);
    }

    private static Module mlp(boolean smoke, Generator gen) {
        return Zoo.build("mlp-4x1024", Zoo.Options.DEFAULT.withWidth(smoke ? SMOKE_MLP_WIDTH : 1.0), gen);
    }

    private static Module galloway(boolean smoke, Generator gen) {
        return Zoo.build("galloway-cifar", Zoo.Options.DEFAULT.withWidth(smoke ? SMOKE_GALLOWAY_WIDTH : 1.0), gen);
    }

    private static Tensor[] params(Optimizer opt) {
        return opt.parameters().values().toArray(new Tensor[0]);
    }

    /**
     * The ordinary training step, as {@code Trainer} runs it: the parameters' gradients from {@link Autograd#grad}
     * handed to the optimizer (not stored on the parameters, so that the step's {@link dev.brink.engine.TensorScope}
     * reuses their memory next step; {@code loss.backward(); opt.step()} computes the same).
     */
    private static double trainStep(Module model, Optimizer opt, Tensor x, Tensor y) {
        Tensor loss = F.crossEntropy(model.forward(x), y);
        opt.step(Autograd.grad(loss, params(opt)));
        return loss.item();
    }

    // ------------------------------------------------------------------ the workloads

    static Workload.Step madryTrain(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        Module model = madry(smoke, gen);
        Optimizer opt = new Adam(model.trainableParameters(), ADAM_LR);
        Tensor x = images(gen, b, 1, 28, 28);
        Tensor y = labels(b);
        return () -> trainStep(model, opt, x, y);
    }

    static Workload.Step madryPgd40(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        int steps = smoke ? SMOKE_PGD_STEPS : PGD_STEPS;
        Module model = madry(smoke, gen).eval().freeze();
        Tensor x = images(gen, b, 1, 28, 28);
        Tensor y = labels(b);
        return pgdLoop(model, x, y, gen, steps, PGD_EPS, PGD_STEP);
    }

    /** One PGD-7 adversarial-training step with the robust module's {@code pgd-at} objective, as a Brink user trains. */
    static Workload.Step madryPgd7At(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        int steps = smoke ? SMOKE_PGD_STEPS : PGD_AT_STEPS;
        Module model = madry(smoke, gen).train();
        Optimizer opt = new Adam(model.trainableParameters(), ADAM_LR);
        Tensor x = images(gen, b, 1, 28, 28);
        Tensor y = labels(b);
        int[] idx = new int[b];
        for (int i = 0; i < b; i++) idx[i] = i;
        Batch batch = new Batch(x, y, idx);
        AttackSpec spec = AttackSpec.parse(String.format(java.util.Locale.ROOT, "pgd:norm=linf,eps=%s,steps=%d,step=%s,early-stop=false",
                PGD_EPS, steps, PGD_STEP));
        Objective objective = new PgdAdversarialTraining(InnerAttack.of(spec, true), 0, 0);
        long[] step = {0};
        return () -> {
            Tensor loss = objective.apply(model, batch, new TrainingContext(0, 1, step[0]++, ADAM_LR, ADAM_LR, gen)).loss();
            opt.step(Autograd.grad(loss, params(opt)));
            return loss.item();
        };
    }

    static Workload.Step madryIgr(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        Module model = madry(smoke, gen);
        Optimizer opt = new Adam(model.trainableParameters(), ADAM_LR);
        Tensor[] params = params(opt);
        Tensor x = images(gen, b, 1, 28, 28).requiresGrad(true);
        Tensor y = labels(b);
        int[] pixelAxes = {1, 2, 3};
        return () -> {
            Tensor ce = F.crossEntropy(model.forward(x), y);
            Tensor gx = Autograd.grad(ce, x, GradOptions.defaults().createGraph())[0];
            Tensor penalty = gx.square().sum(pixelAxes, false).mean();
            Tensor total = ce.add(penalty.mul(IGR_WEIGHT));
            Tensor[] grads = Autograd.grad(total, params);
            opt.step(grads);
            return total.item();
        };
    }

    /** One optimizer step on an objective of the robust registry, as {@code brink train} takes it. */
    private static Workload.Step objectiveStep(Module model, Optimizer opt, Objective objective, Tensor x, Tensor y) {
        Tensor[] params = params(opt);
        Batch batch = new Batch(x, y, new int[x.size(0)]);
        TrainingContext context = TrainingContext.standalone(new Generator(SEED));
        return () -> {
            Tensor loss = objective.apply(model, batch, context).loss();
            opt.step(Autograd.grad(loss, params, GradOptions.defaults().allowUnused()));
            return loss.item();
        };
    }

    static Workload.Step madryJacReg(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        Module model = madry(smoke, gen);
        Optimizer opt = new Adam(model.trainableParameters(), ADAM_LR);
        Objective o = Objectives.parse("jacobian-reg:norm=l2,lambda=" + JACREG_WEIGHT, ObjectiveSetup.NONE);
        return objectiveStep(model, opt, o, images(gen, b, 1, 28, 28), labels(b));
    }

    static Workload.Step mlpEmrApprox(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MLP_BATCH;
        Module model = mlp(smoke, gen);
        Optimizer opt = new Sgd(model.trainableParameters(), SGD_LR, SGD_MOMENTUM);
        Objective o = Objectives.parse("emr:method=approx,lambda=" + EMR_WEIGHT + ",t=" + EMR_TEMPERATURE, ObjectiveSetup.NONE);
        return objectiveStep(model, opt, o, images(gen, b, 1, 28, 28), labels(b));
    }

    static Workload.Step madryHvp(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        Module model = madry(smoke, gen).eval().freeze();
        Tensor x = images(gen, b, 1, 28, 28);
        Tensor v = Tensor.randn(gen, DType.FLOAT32, x.shape());
        Tensor y = labels(b);
        return () -> Derivatives.hvp(z -> F.crossEntropy(model.forward(z), y), x, v).sum().item();
    }

    static Workload.Step madryTrades(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MADRY_BATCH;
        int steps = smoke ? SMOKE_PGD_STEPS : TRADES_STEPS;
        Module model = madry(smoke, gen);
        Optimizer opt = new Sgd(model.trainableParameters(), SGD_LR, SGD_MOMENTUM);
        Tensor[] params = params(opt);
        Tensor x = images(gen, b, 1, 28, 28);
        Tensor y = labels(b);
        Batch batch = new Batch(x, y, new int[b]);
        TradesObjective trades = new TradesObjective(TRADES_BETA,
                new InnerPgd(ThreatModel.of(Norm.LINF, PGD_EPS), steps, PGD_STEP, TRADES_START_SIGMA));
        TrainingContext context = TrainingContext.standalone(gen);
        return () -> {
            Tensor loss = trades.apply(model, batch, context).loss();
            opt.step(Autograd.grad(loss, params));
            return loss.item();
        };
    }

    /** The Madry model (eval, frozen) and APGD_BATCH points labelled with its own predictions. */
    private static Object[] apgdSetup(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : APGD_BATCH;
        Module model = madry(smoke, gen).eval().freeze();
        Tensor x = images(gen, b, 1, 28, 28);
        Tensor y;
        try (GradMode.Scope s = GradMode.noGrad()) {
            y = model.forward(x).argmax(1);
        }
        return new Object[] {model, x, y};
    }

    static Workload.Step madryApgdCe(boolean smoke) {
        Object[] s = apgdSetup(smoke);
        Classifier model = Classifier.of((Module) s[0]);
        Tensor x = (Tensor) s[1], y = (Tensor) s[2];
        int steps = smoke ? SMOKE_APGD_STEPS : APGD_STEPS;
        Attack apgd = Attacks.create("apgd", java.util.Map.of("loss", "ce", "steps", Integer.toString(steps), "restarts", "1"));
        ThreatModel t = ThreatModel.of(Norm.LINF, PGD_EPS);
        Generator gen = new Generator(SEED);
        return () -> apgd.run(model, x, y, t, Goal.UNTARGETED, gen).adversarial().sum().item();
    }

    static Workload.Step madryAutoAttack(boolean smoke) {
        Object[] s = apgdSetup(smoke);
        Classifier model = Classifier.of((Module) s[0]);
        Tensor x = (Tensor) s[1], y = (Tensor) s[2];
        AutoAttack.Config cfg = smoke
                ? new AutoAttack.Config(Norm.LINF, PGD_EPS, 0, APGD_BATCH, AutoAttackVersion.CUSTOM,
                        AutoAttackVersion.custom(java.util.List.of("apgd:steps=" + SMOKE_APGD_STEPS, "square:queries=5")))
                : AutoAttack.Config.standard(Norm.LINF, PGD_EPS, 0, APGD_BATCH);
        return () -> {
            AutoAttack.Result r;
            try {
                r = AutoAttack.run(model, x, y, null, cfg, null, AutoAttack.Listener.NONE);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e); // no listener writes anything here
            }
            StringBuilder sb = new StringBuilder("# " + MADRY_AUTOATTACK + ":");
            for (AutoAttack.AttackStats a : r.attacks())
                sb.append(String.format(java.util.Locale.ROOT, " %s %d pts %.2f s %d calls;", a.name(), a.attacked(), a.seconds(), a.modelCalls()));
            sb.append(String.format(java.util.Locale.ROOT, " robust %.2f", r.robustAccuracy()));
            System.err.println(sb);
            return r.adversarial().sum().item();
        };
    }

    static Workload.Step mlpTrain(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MLP_BATCH;
        Module model = mlp(smoke, gen);
        Optimizer opt = new Sgd(model.trainableParameters(), SGD_LR, SGD_MOMENTUM);
        Tensor x = images(gen, b, 1, 28, 28);
        Tensor y = labels(b);
        return () -> trainStep(model, opt, x, y);
    }

    static Workload.Step mlpEmr(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : MLP_BATCH;
        Module model = mlp(smoke, gen);
        Optimizer opt = new Sgd(model.trainableParameters(), SGD_LR, SGD_MOMENTUM);
        Tensor[] params = params(opt);
        Tensor x = images(gen, b, 1, 28, 28).requiresGrad(true);
        Tensor y = labels(b);
        // one-hot seeds: the gradient of sum_i z_ik with respect to x gives every sample's row k at once
        Tensor[] seeds = new Tensor[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            float[] s = new float[b * CLASSES];
            for (int i = 0; i < b; i++) s[i * CLASSES + k] = 1f;
            seeds[k] = Tensor.of(s, b, CLASSES);
        }
        return () -> {
            Tensor z = model.forward(x);
            Tensor ce = F.crossEntropy(z, y);
            Tensor emr = null;
            for (int k = 0; k < CLASSES; k++) {
                Tensor row = Autograd.grad(z, x, GradOptions.defaults().gradOutputs(seeds[k]).createGraph())[0];
                Tensor sq = row.square().sum();
                emr = emr == null ? sq : emr.add(sq);
            }
            Tensor total = ce.add(emr.mul(EMR_WEIGHT / b));
            Tensor[] grads = Autograd.grad(total, params);
            opt.step(grads);
            return total.item();
        };
    }

    static Workload.Step gallowayTrain(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : GALLOWAY_BATCH;
        Module model = galloway(smoke, gen);
        Optimizer opt = new Adam(model.trainableParameters(), ADAM_LR);
        Tensor x = images(gen, b, 3, 32, 32);
        Tensor y = labels(b);
        return () -> trainStep(model, opt, x, y);
    }

    /** A train-mode SGD-momentum step of a deep CIFAR zoo model (resnet18, vgg16-cifar) at batch 32. */
    static Workload.Step deepCifarTrain(String zooName, boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : CIFAR_DEEP_BATCH;
        Module model = Zoo.build(zooName, Zoo.Options.DEFAULT.withWidth(smoke ? SMOKE_DEEP_WIDTH : 1.0), gen).train();
        Optimizer opt = new Sgd(model.trainableParameters(), SGD_LR, SGD_MOMENTUM);
        Tensor x = images(gen, b, 3, 32, 32);
        Tensor y = labels(b);
        return () -> trainStep(model, opt, x, y);
    }

    /** PGD-10 (L-inf 8/255, step 2/255, random start) on the WRN-16-4 in eval mode, parameters frozen, batch 32. */
    static Workload.Step wrnPgd10(boolean smoke) {
        Generator gen = new Generator(SEED);
        int b = smoke ? SMOKE_BATCH : CIFAR_DEEP_BATCH;
        int steps = smoke ? SMOKE_PGD_STEPS : CIFAR_PGD_STEPS;
        Module model = Zoo.build("wrn-16-4", Zoo.Options.DEFAULT.withWidth(smoke ? SMOKE_DEEP_WIDTH : 1.0), gen).eval().freeze();
        Tensor x = images(gen, b, 3, 32, 32);
        Tensor y = labels(b);
        return pgdLoop(model, x, y, gen, steps, CIFAR_PGD_EPS, CIFAR_PGD_STEP);
    }

    /** L-inf PGD with a uniform random start, clipped to the eps-ball and [0, 1]; returns the sum of the last iterate. */
    private static Workload.Step pgdLoop(Module model, Tensor x, Tensor y, Generator gen, int steps, double eps, double stepSize) {
        Tensor lo = x.sub(eps).maximum(0.0);
        Tensor hi = x.add(eps).minimum(1.0);
        return () -> {
            Tensor adv;
            try (GradMode.Scope s = GradMode.noGrad()) {
                adv = x.add(Tensor.rand(gen, DType.FLOAT32, x.shape()).mul(2 * eps).sub(eps)).clamp(lo, hi);
            }
            for (int i = 0; i < steps; i++) {
                try (TensorScope iteration = TensorScope.open()) { // the iteration's activations are reused by the next
                    Tensor xv = adv.requiresGrad(true);
                    Tensor loss = F.crossEntropy(model.forward(xv), y);
                    Tensor g = Autograd.grad(loss, xv)[0];
                    try (GradMode.Scope s = GradMode.noGrad()) {
                        adv = iteration.keep(xv.detach().add(g.sign().mul(stepSize)).clamp(lo, hi));
                    }
                }
            }
            return adv.sum().item();
        };
    }

    static Workload.Step sgemm(boolean smoke) {
        Generator gen = new Generator(SEED);
        int n = smoke ? SMOKE_SGEMM_N : SGEMM_N;
        Tensor a = Tensor.rand(gen, DType.FLOAT32, n, n);
        Tensor bm = Tensor.rand(gen, DType.FLOAT32, n, n);
        return () -> {
            Tensor c = a.matmul(bm);
            // one element forces the result without timing a full read-back
            return c.slice(0, 0, 1).slice(1, 0, 1).item();
        };
    }

    /** The workload called {@code name}. */
    public static Workload byName(String name) {
        for (Workload w : all()) if (w.name().equals(name)) return w;
        throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + String.join(", ", NAMES));
    }
}
