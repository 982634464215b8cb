package dev.brink.robust.eval;

import dev.brink.robust.attack.Attack;
import dev.brink.robust.attack.Norm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class AttackSpecTest {
    @Test
    void parsesNameAndOptions() {
        AttackSpec s = AttackSpec.parse("PGD:steps=40, step=0.01,norm=linf");
        assertEquals("pgd", s.name());
        assertEquals(Map.of("steps", "40", "step", "0.01", "norm", "linf"), s.options());
        assertEquals(Norm.LINF, s.norm());
        assertEquals(Map.of("steps", "40", "step", "0.01"), s.attackOptions());
        assertEquals("PGD:steps=40, step=0.01,norm=linf", s.label());
        assertEquals("fgsm", AttackSpec.parse("fgsm").label());
        assertEquals("strong", AttackSpec.parse("pgd:label=strong,eps=0.3").label());
        assertEquals(0.3, AttackSpec.parse("pgd:label=strong,eps=0.3").eps(), 0);
        assertEquals("pgd_steps_40", AttackSpec.parse("pgd:steps=40").fileStem());
        assertEquals("40", AttackSpec.parse("pgd:steps=40").withDefault("steps", "7").options().get("steps"), "the spec wins");
    }

    @Test
    void badSpecsAreNamed() {
        for (String bad : new String[] {"", "pgd:steps", "pgd:=3", "pgd:steps=1,steps=2", "pgd:norm=l3", "pgd:eps=-1", "p g d"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttackSpec.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void epsRanges() {
        assertArrayEquals(new double[] {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5}, EpsRange.parse("0:0.5:0.05").values(), 1e-12);
        assertEquals(0.05, EpsRange.parse("0:0.5:0.05").step(), 1e-12);
        assertArrayEquals(new double[] {0, 0.1, 0.3}, EpsRange.parse("0,0.1,0.3").values(), 1e-12);
        assertArrayEquals(new double[] {0, 4 / 255.0, 8 / 255.0}, EpsRange.parse("0:8/255:4/255").values(), 1e-12);
        assertArrayEquals(new double[] {0.3}, EpsRange.parse("0.3").values(), 0);
        assertEquals("0.3", EpsRange.format(0.1 + 0.2));
        assertEquals("2", EpsRange.format(2.0));
        for (String bad : new String[] {"", "0:1:0", "1:0:0.1", "a", "-1", "0:1:-1"})
            assertThrows(IllegalArgumentException.class, () -> EpsRange.parse(bad), bad);
        // found by make fuzz: an empty list entry was an ArrayIndexOutOfBoundsException ("Index 0 out of bounds")
        for (String bad : new String[] {",", "0.1,", ",0.1", "0.1,,0.2", "0:", ":0.1", "0:1:"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EpsRange.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--eps " + bad + ": "), e.getMessage());
        }
    }

    @Test
    void planAppliesCommonOptionsToTheAttacksThatTakeThem() {
        List<AttackPlan.Planned> p = AttackPlan.plan(List.of("fgsm", "fgsm:loss=ce,label=b"), Norm.LINF, new java.util.LinkedHashMap<>(Map.of("loss", "cw")));
        assertEquals(2, p.size());
        assertEquals("cw", p.get(0).spec().options().get("loss"));
        assertEquals("ce", p.get(1).spec().options().get("loss"));
        assertEquals(Norm.LINF, p.get(0).norm());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttackPlan.plan(List.of("fgsm"), null, new java.util.LinkedHashMap<>(Map.of("nonsense", "1"))));
        assertTrue(e.getMessage().contains("nonsense"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AttackPlan.plan(List.of("fgsm", "fgsm"), null, Map.of()), "duplicate labels");
        assertThrows(IllegalArgumentException.class, () -> AttackPlan.plan(List.of("no-such-attack"), null, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> AttackPlan.plan(List.of("fgsm:norm=l2"), null, Map.of()), "fgsm is linf only");
    }

    @Test
    void normChoice() {
        Attack fgsm = AttackFactory.create(AttackSpec.parse("fgsm"));
        assertEquals(Norm.LINF, AttackFactory.normFor(AttackSpec.parse("fgsm"), fgsm, null));
        // a single-norm attack under a command-wide norm it lacks keeps its own norm
        assertEquals(Norm.LINF, AttackFactory.normFor(AttackSpec.parse("fgsm"), fgsm, Norm.L2));
        assertThrows(IllegalArgumentException.class, () -> AttackFactory.normFor(AttackSpec.parse("fgsm"), fgsm, Norm.L2, true), "alone: strict");
        assertThrows(IllegalArgumentException.class, () -> AttackFactory.normFor(AttackSpec.parse("fgsm:norm=l2"), fgsm, null));
    }
}
