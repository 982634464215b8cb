package dev.brink.app.vectors;

import dev.brink.engine.Tensor;
import dev.brink.nn.spec.SpecModel;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code README.md} that {@link ModelVectorMaker} writes into a case folder: every tensor, its shape and order. */
final class VectorCaseReadme {
    private VectorCaseReadme() {}

    static String text(SpecModel model, int n, int k, List<String> quantities, ModelVectorMaker.Made made) {
        Map<String, String> meta = made.metadata();
        String dtype = meta.get("dtype");
        int[] in = model.inputShape();
        int d = 1;
        for (int s : in) d *= s;
        String xs = shape(ModelQuantities.prepend(in, n));
        String name = nameOf(model);
        Map<String, Tensor> params = model.trainableParameters();
        StringBuilder s = new StringBuilder();
        s.append("# Reference case: ").append(name).append("\n\n");
        s.append("Made by `brink vectors make`").append(meta.containsKey("brink_version") ? " (Brink " + meta.get("brink_version") + ")" : "")
                .append(". Check it with `brink vectors check DIR`; the format is described in Brink's `test-vectors/README.md` (\"Model cases\") and ")
                .append("`docs/gradient-testing.md`.\n\n");
        if (meta.containsKey("command")) s.append("Command: `").append(meta.get("command")).append("`\n\n");
        s.append(String.format(Locale.ROOT, "Model: `%s`, input %s per sample, %d output%s, %,d trainable parameters. Every value is taken in **eval mode** "
                        + "(batch norm uses its running statistics, dropout is the identity).%n%n",
                name, shape(in), k, k == 1 ? "" : "s", model.parameterCount()));
        s.append("Loss `L`: the ").append(meta.get("loss")).append(" of the logits against `y`, averaged over the N = ").append(n).append(" samples.\n\n");
        s.append("All tensors are stored as **").append(dtype).append("**, row-major (C order), sample index first. Every value was computed in float64 from the "
                + "stored weights, x and v").append(dtype.equals("float32") ? " (rounded to float32 before the computation, so a float64 engine that reads "
                + "the files computes the same function; only the final rounding to float32 separates it from the stored values)" : "").append(".\n\n");

        s.append("## Files\n\n| file | contents |\n|---|---|\n");
        s.append("| `model.json` | the architecture in Brink's spec language (`input` shape, then `layers` in order) |\n");
        s.append("| `weights.safetensors` | every parameter and buffer by its state-dict name, PyTorch layouts: conv2d weight `[out, in/groups, kh, kw]`, "
                + "linear weight `[out, in]` (y = x W^T + b), batch norm `weight`, `bias`, `running_mean`, `running_var` |\n");
        s.append("| `data.safetensors` | `x` ").append(xs).append(" ").append(dtype).append(" (the inputs), `y` [").append(n)
                .append("] int32 (the labels), `v` ").append(xs).append(" ").append(dtype).append(" (the Hessian-vector product direction: ")
                .append(meta.get("v")).append(") |\n");
        s.append("| `expected.safetensors` | the tensors below; its `__metadata__` lists them under `quantities` |\n\n");

        s.append("## Tensors of `expected.safetensors`\n\n| name | shape | what |\n|---|---|---|\n");
        for (String q : quantities) s.append(row(q, n, k, d, in, xs, params.size()));
        s.append("\n`<param>` runs over the trainable parameters, in this order:\n\n| parameter | shape |\n|---|---|\n");
        params.forEach((p, t) -> s.append("| `").append(p).append("` | ").append(shape(t.shape())).append(" |\n"));
        List<String> buffers = model.namedBuffers().keySet().stream().toList();
        if (!buffers.isEmpty()) s.append("\nBuffers (in `weights.safetensors` only): ").append(String.join(", ", buffers.stream().map(b -> "`" + b + "`").toList())).append(".\n");

        s.append("\n## Tolerances\n\nCompare each tensor by the relative error `||a - b|| / ||b||` over the whole tensor (`||a||` where b is all zeros), "
                + "each parameter of a `.*` group on its own.\n\n");
        s.append("| quantity | tolerance for a float32 engine | Brink's own error in float32 |\n|---|---|---|\n");
        for (String q : quantities)
            s.append(String.format(Locale.ROOT, "| `%s` | %s | %.1e |%n", q, ModelVectorMaker.fmt(made.float32Tolerances().get(q)), made.float32Errors().get(q)));
        s.append("\nThe float32 tolerance is ten times the error Brink makes when it computes this case in float32, rounded up to 1, 2 or 5 times a power of ten, "
                + "and at least ").append(ModelVectorMaker.fmt(ModelVectorMaker.FLOAT32_TOLERANCE_FLOOR)).append(". A float64 engine should agree to ")
                .append(meta.get("tolerance.float64")).append(". The metadata of the safetensors files holds the same numbers (`tolerance.float32.<quantity>`, "
                        + "`float32_error.<quantity>`, `tolerance.float64`).\n\n");

        s.append("## Conventions at kinks\n\nReLU'(0) = 0; a max-pool window with tied maxima sends its gradient to the first of them in row-major window order "
                + "(both as in PyTorch). Images with blank regions (MNIST) produce exact zeros and ties; an engine with other conventions differs there.\n");
        return s.toString();
    }

    private static String row(String q, int n, int k, int d, int[] in, String xs, int params) {
        return switch (q) {
            case "logits" -> "| `logits` | [" + n + ", " + k + "] | the model's output on x |\n";
            case "loss" -> "| `loss` | [] | L |\n";
            case "grad_x" -> "| `grad_x` | " + xs + " | dL/dx |\n";
            case "grad.*" -> "| `grad.<param>` | the parameter's | dL/dparam (" + params + " tensors) |\n";
            case "hvp_x" -> "| `hvp_x` | " + xs + " | the input Hessian of L times v: d/dx <dL/dx, v> |\n";
            case "hessian_x" -> "| `hessian_x` | [" + n + ", " + d + ", " + d + "] | the input Hessian of L, sample by sample: `hessian_x[n, i, j]` = "
                    + "d^2 L / dx[n]_i dx[n]_j, where i and j index one sample " + shape(in) + " flattened row-major (D = " + d + "); it includes the 1/N of "
                    + "the mean, `hvp_x[n]` = `hessian_x[n]` times `v[n]` flattened, and the blocks between different samples are zero (not stored) |\n";
            case "gradnorm" -> "| `gradnorm` | [] | the input-gradient-norm penalty: the sum of squares of dL/dx |\n";
            case "gradnorm.grad.*" -> "| `gradnorm.grad.<param>` | the parameter's | d gradnorm / dparam (double backprop) |\n";
            case "jac_rows" -> "| `jac_rows` | [" + n + ", " + k + shapeTail(in) + "] | the per-class Jacobian rows: `jac_rows[n, k]` = d logits[n, k] / d x[n] |\n";
            case "emr" -> "| `emr` | [] | the sum of squares of `jac_rows`, divided by N (the Jacobian term of Liu and Chan's effective margin regularization) |\n";
            case "emr.grad.*" -> "| `emr.grad.<param>` | the parameter's | d emr / dparam (double backprop) |\n";
            default -> throw new IllegalStateException(q);
        };
    }

    private static String nameOf(SpecModel model) {
        String json = model.specJson();
        com.fasterxml.jackson.databind.JsonNode spec = dev.brink.nn.spec.ModelSpec.parse(json);
        return spec.has("name") ? spec.get("name").asText() : "(unnamed spec)";
    }

    private static String shape(int[] s) {
        return Arrays.toString(s);
    }

    private static String shapeTail(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int v : s) b.append(", ").append(v);
        return b.toString();
    }
}
