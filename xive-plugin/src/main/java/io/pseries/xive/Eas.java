package io.pseries.xive;

/**
 * Event Assignment Structure: one 64-bit word per interrupt source (LISN) that routes its
 * events to an END, with the event data (EISN) the END will queue.
 *
 * <pre>
 *  bit 0      VALID
 *  bits 4-7   END block
 *  bits 8-31  END index
 *  bit 32     MASKED
 *  bits 33-63 END data (EISN)
 * </pre>
 */
public final class Eas {
    public static final long VALID = 0x8000_0000_0000_0000L;
    public static final long END_BLOCK = 0x0F00_0000_0000_0000L;
    public static final long END_INDEX = 0x00FF_FFFF_0000_0000L;
    public static final long MASKED = 0x0000_0000_8000_0000L;
    public static final long END_DATA = 0x0000_0000_7FFF_FFFFL;

    private Eas() {
    }

    public static boolean valid(long w) {
        return (w & VALID) != 0;
    }

    public static boolean masked(long w) {
        return (w & MASKED) != 0;
    }

    public static int endBlock(long w) {
        return (int) Field.get(END_BLOCK, w);
    }

    public static int endIndex(long w) {
        return (int) Field.get(END_INDEX, w);
    }

    public static int endData(long w) {
        return (int) Field.get(END_DATA, w);
    }
}
