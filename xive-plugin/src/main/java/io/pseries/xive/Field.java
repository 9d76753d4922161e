package io.pseries.xive;

/**
 * A bit field of an architected word, declared once by its mask (IBM bit numbering is only in
 * the comments that define the masks). {@link #get} and {@link #set} shift by the mask's
 * lowest set bit.
 */
public final class Field {
    private Field() {
    }

    public static long get(long mask, long word) {
        return (word & mask) >>> Long.numberOfTrailingZeros(mask);
    }

    public static long set(long mask, long word, long value) {
        int shift = Long.numberOfTrailingZeros(mask);
        return (word & ~mask) | ((value << shift) & mask);
    }

    public static int get32(int mask, int word) {
        return (word & mask) >>> Integer.numberOfTrailingZeros(mask);
    }

    public static int set32(int mask, int word, int value) {
        int shift = Integer.numberOfTrailingZeros(mask);
        return (word & ~mask) | ((value << shift) & mask);
    }
}
