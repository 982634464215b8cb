package dev.brink.robust.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An attack spec's eps takes what --eps takes: decimals and fractions like 8/255; anything else is named. */
class AttackSpecEpsTest {
    @Test
    void decimalsAndFractions() {
        assertEquals(0.3, AttackSpec.parse("pgd:eps=0.3").eps());
        assertEquals(8.0 / 255, AttackSpec.parse("pgd:eps=8/255,steps=2").eps());
        assertNull(AttackSpec.parse("pgd:steps=2").eps());
    }

    @Test
    void negativeInfiniteAndGarbageAreRefused() {
        for (String bad : new String[] {"-0.1", "1/0", "abc", "8/x", "NaN"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttackSpec.parse("pgd:eps=" + bad).eps(), bad);
            assertTrue(e.getMessage().contains("eps must be a finite number >= 0") && e.getMessage().contains(bad), e.getMessage());
        }
    }
}
