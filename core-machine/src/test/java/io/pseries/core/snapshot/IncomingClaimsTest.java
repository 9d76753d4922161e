package io.pseries.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.pseries.core.irq.IrqSpace;
import io.pseries.core.irq.SpaprIrq;

/**
 * {@link IncomingClaims#claimedAfterCount}, which lets a controller's section check its stream
 * against the claims a restore leaves without visiting every configured number, counts exactly
 * the numbers {@link IncomingClaims#claimedAfter} says are claimed then: whatever mix of numbers
 * claimed now, run-time MSIs this machine holds and MSIs the stream declares.
 */
class IncomingClaimsTest {

    @Test
    void claimedAfterCountIsTheNumberOfNumbersClaimedAfter() {
        Random rnd = new Random(14);
        int n = 0x4000;
        for (int round = 0; round < 200; round++) {
            IrqSpace space = new IrqSpace(n);
            // this machine's run-time MSIs: a few allocations of a few numbers
            for (int a = rnd.nextInt(4); a > 0; a--) {
                space.allocMsi(1 + rnd.nextInt(8), 1);
            }
            IncomingClaims c = new IncomingClaims(round % 5 == 0 ? null : space);
            for (int d = rnd.nextInt(4); d > 0; d--) {
                c.declare(SpaprIrq.MSI + rnd.nextInt(64), 1 + rnd.nextInt(8));
            }
            BitSet now = new BitSet();
            for (int k = rnd.nextInt(200); k > 0; k--) {
                // claimed numbers, around the MSI base and the run-time ones most often
                now.set(rnd.nextBoolean() ? SpaprIrq.MSI + rnd.nextInt(96) : rnd.nextInt(n));
            }
            int expected = 0;
            for (int i = 0; i < n; i++) {
                expected += c.claimedAfter(i, now.get(i)) ? 1 : 0;
            }
            assertEquals(expected, c.claimedAfterCount(n, now.cardinality(), now::get), "round " + round);
        }
    }

    @Test
    void onlyNumbersBelowTheLimitCount() {
        IrqSpace space = new IrqSpace(0x4000);
        int first = space.allocMsi(4, 1);
        IncomingClaims c = new IncomingClaims(space);
        c.declare(first + 8, 4);
        BitSet now = new BitSet();
        now.set(first, first + 4);                  // claimed now by the run-time MSIs the stream does not hold
        // below first + 10: the two declared numbers first + 8 and first + 9 are claimed then, nothing else
        assertEquals(2, c.claimedAfterCount(first + 10, now.cardinality(), now::get));
        assertEquals(4, c.claimedAfterCount(0x4000, now.cardinality(), now::get));
        assertEquals(-1, space.nextMsiAllocated(first + 4));
        assertEquals(first + 2, space.nextMsiAllocated(first + 2));
    }
}
