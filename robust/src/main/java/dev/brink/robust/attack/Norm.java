package dev.brink.robust.attack;

import java.util.Locale;

/** The distance an attack is bounded in: L0 (number of changed features), L1, L2 or L-infinity. */
public enum Norm {
    L0, L1, L2, LINF;

    /** Parses "l0", "l1", "l2", "linf" (also "inf", "Linf", "L-inf"). */
    public static Norm parse(String s) {
        String t = s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (t) {
            case "l0" -> L0;
            case "l1" -> L1;
            case "l2" -> L2;
            case "linf", "inf", "linfinity" -> LINF;
            default -> throw new IllegalArgumentException("unknown norm '" + s + "'; expected l0, l1, l2 or linf");
        };
    }

    /** Lower-case name as used on the command line and in reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
