package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class SourceBitmapTest {

    @Test
    void emptyBitmap_hasNoNextBit() {
        SourceBitmap b = new SourceBitmap(0x1000);
        assertEquals(-1, b.nextSetBit(0));
        assertTrue(b.isEmpty());
    }

    @Test
    void nextSetBit_findsBitsAcrossWordAndSummaryBoundaries() {
        SourceBitmap b = new SourceBitmap(0x1000);
        for (int i : new int[] {0, 63, 64, 4095, 127, 128, 4032}) {
            b.set(i);
        }
        int[] expect = {0, 63, 64, 127, 128, 4032, 4095};
        int k = 0;
        for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(i + 1)) {
            assertEquals(expect[k++], i);
        }
        assertEquals(expect.length, k);
        assertEquals(-1, b.nextSetBit(4096));
    }

    @Test
    void randomOperations_matchJavaBitSet() {
        SplittableRandom r = new SplittableRandom(7);
        for (int size : new int[] {1, 63, 64, 65, 4096, 4097, 70_000}) {
            SourceBitmap b = new SourceBitmap(size);
            BitSet ref = new BitSet(size);
            for (int op = 0; op < 20_000; op++) {
                int i = r.nextInt(size);
                switch (r.nextInt(4)) {
                    case 0, 1 -> {
                        b.set(i);
                        ref.set(i);
                    }
                    case 2 -> {
                        b.clear(i);
                        ref.clear(i);
                    }
                    default -> {
                        int from = r.nextInt(size + 1);
                        int want = ref.nextSetBit(from);
                        assertEquals(want >= size ? -1 : want, b.nextSetBit(from), "size " + size + " from " + from);
                    }
                }
                if (op % 5000 == 4999 && r.nextBoolean()) {
                    b.clearAll();
                    ref.clear();
                }
                assertEquals(ref.cardinality(), b.count());
            }
        }
    }
}
