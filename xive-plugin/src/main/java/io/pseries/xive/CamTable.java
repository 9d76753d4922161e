package io.pseries.xive;

import java.util.Arrays;

/**
 * Which thread context currently holds a CAM line in one ring: an open-addressing map from a
 * 23-bit CAM value to the thread index, with a count so a CAM pushed to two threads is seen as
 * ambiguous. Lookups allocate nothing; updates happen only when a context is pushed or pulled.
 */
final class CamTable {
    /** Lookup answer when no thread holds the CAM. */
    static final int NONE = -1;
    /** Lookup answer when several threads hold it (QEMU: "already found a thread context"). */
    static final int DUPLICATE = -2;

    private int[] keys;
    private int[] owner;
    private int[] count;
    private int used;

    CamTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new int[cap];
        owner = new int[cap];
        count = new int[cap];
        Arrays.fill(keys, -1);
    }

    private int slot(int cam) {
        int mask = keys.length - 1;
        int i = (cam * 0x9E3779B1) >>> 7 & mask;
        while (keys[i] != -1 && keys[i] != cam) {
            i = (i + 1) & mask;
        }
        return i;
    }

    int lookup(int cam) {
        int i = slot(cam);
        if (keys[i] == -1 || count[i] == 0) {
            return NONE;
        }
        return count[i] == 1 ? owner[i] : DUPLICATE;
    }

    void add(int cam, int thread) {
        if ((used + 1) * 2 > keys.length) {
            grow();
        }
        int i = slot(cam);
        if (keys[i] == -1) {
            keys[i] = cam;
            used++;
        }
        if (count[i]++ == 0) {
            owner[i] = thread;
        }
    }

    /** Removes one holder; when one holder is left its index is re-derived by the caller. */
    void remove(int cam, int thread, int[] holders) {
        int i = slot(cam);
        if (keys[i] == -1 || count[i] == 0) {
            return;
        }
        count[i]--;
        if (count[i] == 1) {
            for (int t = 0; t < holders.length; t++) {
                if (t != thread && holders[t] == cam) {
                    owner[i] = t;
                    break;
                }
            }
        }
    }

    private void grow() {
        int[] k = keys;
        int[] o = owner;
        int[] c = count;
        keys = new int[k.length * 2];
        owner = new int[k.length * 2];
        count = new int[k.length * 2];
        Arrays.fill(keys, -1);
        used = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != -1 && c[i] > 0) {
                int s = slot(k[i]);
                keys[s] = k[i];
                owner[s] = o[i];
                count[s] = c[i];
                used++;
            }
        }
    }
}
