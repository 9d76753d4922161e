package io.pseries.core.cas;

/**
 * What a Linux guest puts in option vector 5, and how it picks byte 23 from what the platform
 * advertises (prom_init's logic).
 */
public final class GuestOv5 {
    /** What the guest can do with interrupt controllers (a kernel with or without {@code xive=off}). */
    public enum Offer {
        /** A kernel that only drives XIVE. */
        EXPLOITATION,
        /** A kernel booted with {@code xive=off}. */
        LEGACY,
        /** A kernel that drives both (the default). */
        BOTH;

        public static Offer parse(String s) {
            return switch (s) {
                case "exploitation" -> EXPLOITATION;
                case "legacy" -> LEGACY;
                case "both" -> BOTH;
                default -> throw new IllegalArgumentException("invalid xive offer '" + s
                    + "'; expected 'exploitation', 'legacy' or 'both'");
            };
        }
    }

    private GuestOv5() {
    }

    /**
     * Byte 23 the guest asks for, given the platform's advertised byte 23 ({@code 0x00} XICS
     * only, {@code 0x40} XIVE only, {@code 0x80} either):
     * <ul>
     *   <li>a default kernel asks XIVE whenever the platform allows it;</li>
     *   <li>{@code xive=off} asks XICS, except on a XIVE-only platform where Linux ignores it;</li>
     *   <li>an XIVE-only kernel always asks XIVE.</li>
     * </ul>
     */
    public static int byte23(Offer offer, int platform) {
        boolean platformXive = platform == 0x40 || platform == 0x80;
        return switch (offer) {
            case EXPLOITATION -> 0x40;
            case BOTH -> platformXive ? 0x40 : 0x00;
            case LEGACY -> platform == 0x40 ? 0x40 : 0x00;
        };
    }

    /** The vector 5 Linux 6.1 sent (observed), with byte 23 set as given. */
    public static OptionVector linuxVector(int byte23) {
        return OptionVector.ofBytes(2, 0xf3, 5, 0xe0, 6, 0x05, 11, 0x08, 17, 0xe0, 21, 0x01, 22, 0xc0,
            23, byte23, 24, 0x40, 26, 0x40);
    }
}
