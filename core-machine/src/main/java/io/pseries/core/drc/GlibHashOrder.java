package io.pseries.core.drc;

import java.util.ArrayList;
import java.util.List;

/**
 * The iteration order of a GLib {@code GHashTable} keyed by strings ({@code g_str_hash}), for
 * a sequence of insertions: the order in which QEMU meets the properties of a QOM container.
 *
 * <p>Why it matters: QEMU writes {@code ibm,drc-indexes} and its sibling properties by walking
 * the {@code /dr-connector} container, whose properties (one alias per DR connector, named by the
 * index in lowercase hex) live in a GHashTable. The arrays in QEMU's tree therefore come out in
 * the table's slot order, not in index order. The model reproduces it from GLib's documented
 * open-addressing scheme: the djb2 string hash, a slot of {@code (hash * 11) mod p} where p is the
 * prime just below the power-of-two table size, quadratic probing, growth when the table is
 * about 16/17 full to the power of two above {@code 4/3 * entries}, and the in-place rehash that
 * walks the old slots in order. Checked against the four DRC lists of QEMU 7.2's trees.
 *
 * <p>A plain value builder; confined to the thread that builds it.
 */
public final class GlibHashOrder<K> {
    private static final int MIN_SHIFT = 3;
    private static final int[] PRIME_MOD = {1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381,
        32749, 65521, 131071, 262139, 524287, 1048573};

    private int size;
    private int mod;
    private int mask;
    private Object[] keys;
    private int[] hashes;
    private int nodes;
    private int occupied;

    public GlibHashOrder() {
        setShift(MIN_SHIFT);
        keys = new Object[size];
        hashes = new int[size];
    }

    /** GLib's g_str_hash (djb2 over the bytes, 32-bit). */
    static int strHash(String s) {
        int h = 5381;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h = h * 33 + b;
        }
        return h;
    }

    private void setShift(int shift) {
        size = 1 << shift;
        mod = PRIME_MOD[shift];
        mask = size - 1;
    }

    private int slotOf(int hash) {
        return (int) (Integer.toUnsignedLong(hash * 11) % mod);
    }

    private static int realHash(String key) {
        int h = strHash(key);
        // 0 marks an unused slot and 1 a tombstone
        return Integer.compareUnsigned(h, 2) < 0 ? 2 : h;
    }

    /**
     * Inserts {@code key} under the string {@code name} GLib would hash (a no-op when the key is
     * present); only the key is kept.
     */
    public void insert(K key, String name) {
        int h = realHash(name);
        int i = slotOf(h);
        int step = 0;
        while (hashes[i] != 0) {
            if (hashes[i] == h && keys[i].equals(key)) {
                return;
            }
            step++;
            i = (i + step) & mask;
        }
        keys[i] = key;
        hashes[i] = h;
        nodes++;
        occupied++;
        if (size <= occupied + occupied / 16) {
            resize();
        }
    }

    private void resize() {
        int old = size;
        int n = (int) (nodes * 1.333);
        int shift = 0;
        while (n != 0) {
            n >>= 1;
            shift++;
        }
        setShift(Math.max(shift, MIN_SHIFT));
        if (size > old) {
            keys = java.util.Arrays.copyOf(keys, size);
            hashes = java.util.Arrays.copyOf(hashes, size);
        }
        boolean[] placed = new boolean[Math.max(size, old)];
        for (int i = 0; i < old; i++) {
            if (Integer.compareUnsigned(hashes[i], 2) < 0) {
                hashes[i] = 0;
                continue;
            }
            if (placed[i]) {
                continue;
            }
            Object k = keys[i];
            int h = hashes[i];
            hashes[i] = 0;
            keys[i] = null;
            while (true) {
                int j = slotOf(h);
                int step = 0;
                while (placed[j]) {
                    step++;
                    j = (j + step) & mask;
                }
                placed[j] = true;
                if (Integer.compareUnsigned(hashes[j], 2) < 0) {
                    hashes[j] = h;
                    keys[j] = k;
                    break;
                }
                // an entry not yet moved sits there: take its place and move it next
                Object k2 = keys[j];
                int h2 = hashes[j];
                keys[j] = k;
                hashes[j] = h;
                k = k2;
                h = h2;
            }
        }
        occupied = nodes;
    }

    /** The keys in the table's iteration order. */
    @SuppressWarnings("unchecked")
    public List<K> order() {
        List<K> out = new ArrayList<>(nodes);
        for (int i = 0; i < size; i++) {
            if (Integer.compareUnsigned(hashes[i], 2) >= 0) {
                out.add((K) keys[i]);
            }
        }
        return out;
    }
}
