package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.snapshot.SnapshotException;

/**
 * Fuzzing the bytes of small snapshots: every single-byte flip (all bits; one, two and the top bit
 * too in the first 64 bytes) and every truncation of a 1-vCPU XICS snapshot, and the same at
 * every 61st byte of a 1-vCPU XIVE one (its RAM holds an event queue page), is refused
 * with {@link SnapshotException} (the only documented error, its message naming the section or
 * the header), never another exception, and the target machine keeps its state.
 */
class SnapshotFuzzTest {

    private static Machine xicsMachine() {
        Machine m = Machine.create(MachineConfig.builder().cpus(1).icMode("xics").memory(64L << 20).devices(List.of()).build());
        Workloads.ok(m.hcall(0, Hcalls.H_CPPR, 0xFF));
        Workloads.ok(m.hcall(0, Hcalls.H_IPI, 0, 0x05));
        m.run(100);
        return m;
    }

    private static Machine xiveMachine() {
        Machine m = Machine.create(MachineConfig.builder().cpus(1).icMode("xive").memory(64L << 20).devices(List.of()).build());
        m.cas(GuestOv5.linuxVector(0x40));
        Workloads.ok(m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, 0, 6, Workloads.QPAGE, 16));
        Workloads.ok(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, 0, 0, 6, 0x10));
        m.load(0, Workloads.trig(0) + 0x10000 + 0xC00, 8);
        m.store(0, Workloads.TIMA_OS + 0x11, 1, 0xFF);
        m.store(0, Workloads.trig(0), 8, 0);
        m.run(100);
        return m;
    }

    /** Every flip of every byte with {@code stride} 1, every {@code stride}-th byte otherwise; the same for truncations. */
    private static void fuzz(Machine source, Machine target, int stride) {
        byte[] good = source.snapshot();
        byte[] before = target.snapshot();
        assertTrue(!Arrays.equals(good, before), "the target must differ from the stream, or unchanged proves nothing");
        int refused = 0;
        byte[] bad = good.clone();
        for (int i = 0; i < good.length; i += stride) {
            for (int mask : i < 64 ? new int[] {0xff, 0x01, 0x80} : new int[] {0xff}) {
                bad[i] ^= (byte) mask;
                expectRefused(target, bad, "flip 0x" + Integer.toHexString(mask) + " at byte " + i);
                bad[i] = good[i];
                refused++;
            }
            expectRefused(target, Arrays.copyOf(good, i), "truncation to " + i + " bytes");
            refused++;
            if ((i / stride) % 512 == 0) {
                assertArrayEquals(before, target.snapshot(), "target changed after mutations up to byte " + i);
            }
        }
        expectRefused(target, Arrays.copyOf(good, good.length + 1), "one byte appended");
        assertArrayEquals(before, target.snapshot(), "target changed");
        assertTrue(refused > good.length / stride);
        // and the intact stream still loads
        target.restore(good);
        assertArrayEquals(good, target.snapshot());
    }

    private static void expectRefused(Machine target, byte[] bad, String what) {
        try {
            target.restore(bad);
            fail(what + ": accepted");
        } catch (SnapshotException e) {
            assertTrue(e.getMessage().startsWith("snapshot "), what + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": refused with an undocumented exception " + e, e);
        }
    }

    @Test
    void everyFlipAndTruncationOfASmallXicsSnapshotIsRefused() {
        fuzz(xicsMachine(), Machine.create(MachineConfig.builder().cpus(1).icMode("xics").memory(64L << 20)
            .devices(List.of()).build()), 1);
    }

    /** Guest code mid run (cpu/code holds two interpreters, one slice pending), into the same program not yet run. */
    @Test
    void flipsAndTruncationsAcrossAGuestCodeSnapshotAreRefused() {
        Workloads.Workload w = Workloads.guestCode();
        Machine source = w.create();
        w.setup().accept(source);
        w.before().accept(source);
        Machine target = w.create();
        w.setup().accept(target);
        fuzz(source, target, 97);
    }

    @Test
    void flipsAndTruncationsAcrossASmallXiveSnapshotAreRefused() {
        fuzz(xiveMachine(), Machine.create(MachineConfig.builder().cpus(1).icMode("xive").memory(64L << 20)
            .devices(List.of()).build()), 61);
    }
}
