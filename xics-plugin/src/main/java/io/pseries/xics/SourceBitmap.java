package io.pseries.xics;

/**
 * A fixed-size bit set with a one-bit-per-word summary, so that finding the next set bit
 * costs a few word reads whatever the size and however sparse the set is (an empty set is
 * one summary read). The ICS keeps its claimed sources and its resend candidates in these.
 *
 * <p>Threading: not thread-safe; owned by one controller on the machine's thread.
 */
public final class SourceBitmap {
    private final int size;
    private final long[] words;
    private final long[] summary;
    private int count;

    public SourceBitmap(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        this.size = size;
        this.words = new long[(size + 63) >>> 6];
        this.summary = new long[(words.length + 63) >>> 6];
    }

    public int size() {
        return size;
    }

    /** Number of set bits. */
    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public boolean get(int i) {
        return (words[i >>> 6] & (1L << i)) != 0;
    }

    public void set(int i) {
        int w = i >>> 6;
        long old = words[w];
        long neu = old | (1L << i);
        if (neu != old) {
            words[w] = neu;
            count++;
            summary[w >>> 6] |= 1L << w;
        }
    }

    public void clear(int i) {
        int w = i >>> 6;
        long old = words[w];
        long neu = old & ~(1L << i);
        if (neu != old) {
            words[w] = neu;
            count--;
            if (neu == 0) {
                summary[w >>> 6] &= ~(1L << w);
            }
        }
    }

    public void set(int i, boolean v) {
        if (v) {
            set(i);
        } else {
            clear(i);
        }
    }

    /** Clears every bit (cost follows the set words). */
    public void clearAll() {
        for (int s = 0; s < summary.length; s++) {
            long bits = summary[s];
            while (bits != 0) {
                int w = (s << 6) + Long.numberOfTrailingZeros(bits);
                words[w] = 0;
                bits &= bits - 1;
            }
            summary[s] = 0;
        }
        count = 0;
    }

    /** The first set bit at or after {@code from}, or -1. */
    public int nextSetBit(int from) {
        if (from < 0) {
            from = 0;
        }
        if (from >= size || count == 0) {
            return -1;
        }
        int w = from >>> 6;
        long word = words[w] & (-1L << from);
        if (word != 0) {
            return (w << 6) + Long.numberOfTrailingZeros(word);
        }
        int next = w + 1;
        for (int s = next >>> 6; s < summary.length; s++) {
            long bits = summary[s];
            if (s == next >>> 6) {
                bits &= -1L << next;
            }
            if (bits != 0) {
                int ww = (s << 6) + Long.numberOfTrailingZeros(bits);
                return (ww << 6) + Long.numberOfTrailingZeros(words[ww]);
            }
        }
        return -1;
    }
}
