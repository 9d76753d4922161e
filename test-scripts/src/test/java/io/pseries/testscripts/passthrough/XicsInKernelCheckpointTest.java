package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.NIC;
import static io.pseries.testscripts.passthrough.PassthroughFixture.booted;
import static io.pseries.testscripts.passthrough.PassthroughFixture.host;
import static io.pseries.testscripts.passthrough.PassthroughFixture.taken;
import static io.pseries.testscripts.passthrough.PassthroughFixture.vfio;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.snapshot.HostGroupSnapshot;

/**
 * A host-group checkpoint of a XICS guest on the in-kernel XICS (XICS-on-XIVE) while a burst on a
 * linked vector is in flight: the first occurrence presented in the ICP, the next latched in the
 * host interrupt's Q, any more coalesced there. The restored machine must take exactly what the
 * straight run takes (the PQ rule: min(k, 2) for a burst of k), no occurrence lost or doubled.
 */
class XicsInKernelCheckpointTest {

    /** Interrupts taken since before, and host deliveries after, a burst of {@code k} on vector 2, with a checkpoint between the burst and the run, or not. */
    private static long[] burst(int k, boolean checkpoint) {
        PhysicalHost h = host();
        Machine m = booted(h, "xics", "on", NIC);
        int gsi = vfio(m).msiFirst() + 2;
        long before = taken(m, gsi);
        for (int i = 0; i < k; i++) {
            h.function(NIC).fire(2);
        }
        if (checkpoint) {
            HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, List.of(m));
            m = HostGroupSnapshot.restoreAsCheckpoint(h, s, List.of(m.config())).machines().get(0);
        }
        // from here on (a restored host's counters start afresh; the script API carries them on)
        long bypass = m.host().stats().passthrough().bypassDeliveries;
        m.runUntilIdle();
        return new long[] {taken(m, gsi) - before, m.host().stats().passthrough().bypassDeliveries - bypass};
    }

    /** Interrupts taken on each of the three started vectors after bursts {@code k[v]}, with a checkpoint between the bursts and the run, or not. */
    private static long[] bursts(int[] k, boolean checkpoint) {
        PhysicalHost h = host();
        Machine m = booted(h, "xics", "on", NIC);
        int first = vfio(m).msiFirst();
        long[] before = new long[k.length];
        for (int v = 0; v < k.length; v++) {
            before[v] = taken(m, first + v);
            for (int i = 0; i < k[v]; i++) {
                h.function(NIC).fire(v);
            }
        }
        if (checkpoint) {
            HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, List.of(m));
            m = HostGroupSnapshot.restoreAsCheckpoint(h, s, List.of(m.config())).machines().get(0);
        }
        m.runUntilIdle();
        long[] out = new long[k.length];
        for (int v = 0; v < k.length; v++) {
            out[v] = taken(m, first + v) - before[v];
        }
        return out;
    }

    /**
     * Bursts on several vectors at once: some MSIs presented, some rejected by a busy presenter
     * (a resend, not the host interrupt's Q), some latched in their host interrupt's Q; the
     * restore keeps each where it was, none lost, none doubled.
     */
    @Test
    void burstsOnSeveralVectorsAtACheckpointAreTakenAsInTheStraightRun_rejectedOnesIncluded() {
        for (int[] k : new int[][] {{1, 1, 1}, {2, 1, 0}, {1, 2, 3}, {3, 1, 2}, {0, 2, 2}}) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(bursts(k, false), bursts(k, true),
                "interrupts taken per vector after bursts " + java.util.Arrays.toString(k));
        }
    }

    @Test
    void aCheckpointMidBurstGivesTheSamePresentationsAndCountsAsTheStraightRun() {
        for (int k = 1; k <= 4; k++) {
            long[] straight = burst(k, false);
            assertEquals(Math.min(k, 2), straight[0], "straight: a burst of " + k);
            long[] restored = burst(k, true);
            assertEquals(straight[0], restored[0], "interrupts taken after a checkpoint mid-burst of " + k);
            assertEquals(straight[1], restored[1], "bypass deliveries after a checkpoint mid-burst of " + k);
        }
    }
}
