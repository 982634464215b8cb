package dev.brink.robust.attack;

import dev.brink.engine.DType;
import dev.brink.engine.Generator;
import dev.brink.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AttacksRegistryTest {
    @Test
    void everyAttackOfTheIssueIsRegisteredWithItsOptions() {
        assertEquals(java.util.List.of("fgsm", "fgm-l2", "fgm-l1", "fgm-l2-x100-clip", "bim", "pgd", "cw-l2", "deepfool", "fab", "fab-t",
                "second-order", "second-order-exact", "jsma", "pixel-swap", "extreme-weight", "apgd", "apgd-t", "square"), Attacks.names());
        for (String n : Attacks.names()) {
            Attack a = Attacks.create(n);
            assertFalse(a.supportedNorms().isEmpty(), n);
            assertTrue(a.supportedNorms().contains(a.defaultNorm()), n);
            for (Attacks.Option o : Attacks.options(n)) assertTrue(Attacks.entry(n).help().contains(o.name()), n + " --help lists " + o.name());
        }
        assertTrue(Attacks.help().contains("rel-step"));
        assertEquals("pgd-l2", Attacks.create("pgd", Map.of("norm", "l2")).name());
        assertEquals(java.util.Set.of(Norm.L2), Attacks.create("PGD", Map.of("norm", "L2")).supportedNorms());
    }

    @Test
    void unknownNamesOptionsAndValuesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("pgdd"));
        assertTrue(e.getMessage().contains("unknown attack 'pgdd'") && e.getMessage().contains("pgd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("pgd", Map.of("stpes", "3")));
        assertTrue(e.getMessage().contains("[stpes]") && e.getMessage().contains("steps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("pgd", Map.of("steps", "many")));
        assertTrue(e.getMessage().contains("steps must be an integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("pgd", Map.of("loss", "mse")));
        assertTrue(e.getMessage().contains("expected ce or cw"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("pgd", Map.of("norm", "l0")));
        assertTrue(e.getMessage().contains("linf, l2 or l1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Attacks.create("pgd", Map.of("steps", "0")));
        assertThrows(IllegalArgumentException.class, () -> Attacks.create("jsma", Map.of("gamma", "2")));
        assertEquals(8.0 / 255, ((Pgd) Attacks.create("pgd", Map.of("step", "8/255"))).stepSize(ThreatModel.of(Norm.LINF, 1)), 1e-15);
    }

    @Test
    void anUnsupportedNormIsRefusedBeforeAnyWork() {
        Classifier model = LinearModels.random(1, 3, 4, DType.FLOAT64).classifier();
        Tensor x = Tensor.rand(new Generator(1), DType.FLOAT64, 2, 4);
        Tensor y = Tensor.ofInts(new int[] {0, 1}, 2);
        for (String n : Attacks.names()) {
            Attack a = Attacks.create(n);
            for (Norm norm : Norm.values()) {
                if (a.supportedNorms().contains(norm)) continue;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> a.run(model, x, y, ThreatModel.of(norm, 1), Goal.UNTARGETED, new Generator(0)));
                assertTrue(e.getMessage().contains("not supported"), e.getMessage());
            }
        }
        assertEquals(0, model.calls());
    }
}
