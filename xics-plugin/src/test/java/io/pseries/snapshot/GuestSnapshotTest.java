package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.util.Json;
import io.pseries.xics.guest.XicsGuestDriver;

/**
 * The booted guest model in a snapshot, one rule per test: the guest's pending exception entries
 * are restored at their time and order, its counts and descriptors and its driver's state come
 * back, and a stream whose guest state does not hold together is refused whole, the target
 * unchanged. Each continuation is compared with the unbroken run and with what the rules say.
 */
class GuestSnapshotTest {

    private static Machine booted(String mode) {
        Machine m = Machine.create(MachineConfig.builder().cpus(4).icMode(mode)
            .devices(List.of(MachineConfig.DeviceConfig.of("spapr-vty"))).build());
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        return m;
    }

    private static void ring(Machine m, int step) {
        for (int c = 0; c < 4; c++) {
            m.guest().ipi(c, (c + step) % 4);
        }
    }

    private static List<String> guestEvents(Machine m) {
        List<String> l = new ArrayList<>();
        m.trace().subscribe(TraceCategory.GUEST, e -> l.add(Workloads.show(e)));
        return l;
    }

    @Test
    void pendingExceptionEntriesAreRestoredAtTheirTimeAndOrder() {
        Machine a = booted("xive");
        ring(a, 1);
        assertEquals(4, a.scheduler().pending(), "each CPU's exception entry is pending");
        Machine b = Machine.create(a.config());
        b.restore(a.snapshot());
        assertEquals(4, b.scheduler().pending());
        for (int c = 0; c < 4; c++) {
            // the same (time, order) pair as the source's entry for that CPU
            long[] want = findEntry(a, c);
            assertArrayEquals(want, findEntry(b, c), "cpu " + c);
        }
        List<String> ea = guestEvents(a);
        List<String> eb = guestEvents(b);
        a.runUntilIdle();
        b.runUntilIdle();
        assertEquals(ea, eb);
        // the ring's rule: each CPU is the target of one sender: one IPI, one exception each
        for (int c = 0; c < 4; c++) {
            assertEquals(1, b.guest().ipisTaken(c), "cpu " + c);
        }
        assertEquals(a.now(), b.now());
    }

    private static long[] findEntry(Machine m, int cpu) {
        byte[] s = m.snapshot();
        Map<String, Object> g = SnapshotDump.decode(s).stream().filter(x -> x.name().equals("guest")).findFirst()
            .orElseThrow().values();
        return new long[] {((long[]) g.get("exceptionAt"))[cpu], ((long[]) g.get("exceptionSeq"))[cpu]};
    }

    @Test
    void countsDescriptorsAndTheDebugFileComeBack() {
        Machine a = booted("xive");
        a.irq(0x1100).pulse();
        a.runUntilIdle();
        ring(a, 2);
        a.runUntilIdle();
        Machine b = Machine.create(a.config());
        b.restore(a.snapshot());
        assertEquals(Json.write(a.guest().stats()), Json.write(b.guest().stats()));
        assertEquals(a.guest().mappedInterrupts().keySet(), b.guest().mappedInterrupts().keySet());
        a.guest().mappedInterrupts().forEach((v, d) -> {
            var e = b.guest().byVirq(v);
            assertEquals(List.of(d.hwirq(), d.lsi(), d.name(), d.target(), d.started()),
                List.of(e.hwirq(), e.lsi(), e.name(), e.target(), e.started()), "virq " + v);
        });
        // read back from the controller through the restored ESB pages of the driver
        assertEquals(a.guest().debugfsInterrupts(), b.guest().debugfsInterrupts());
        assertEquals("xive", b.guest().mode());
    }

    @Test
    void theXiveQueuePositionSurvives_soNoEntryIsReadTwiceOrMissed() {
        Machine a = booted("xive");
        // enough IPIs to move each queue's index well past its start
        for (int r = 0; r < 40; r++) {
            ring(a, 1 + r % 3);
            a.runUntilIdle();
        }
        Machine b = Machine.create(a.config());
        b.restore(a.snapshot());
        List<String> ea = guestEvents(a);
        List<String> eb = guestEvents(b);
        for (int r = 0; r < 10; r++) {
            ring(a, 1);
            a.runUntilIdle();
            ring(b, 1);
            b.runUntilIdle();
        }
        assertEquals(ea, eb);
        assertTrue(eb.stream().noneMatch(e -> e.contains("spurious")), "a spurious fetch: the queue index was lost");
        for (int c = 0; c < 4; c++) {
            assertEquals(50, b.guest().ipisTaken(c), "one IPI per ring per CPU");
        }
    }

    @Test
    void theXicsCpprStackAndDefaultServerSurvive() {
        Machine a = booted("xics");
        ring(a, 1);
        a.run(120);
        Machine b = Machine.create(a.config());
        b.restore(a.snapshot());
        XicsGuestDriver da = (XicsGuestDriver) a.guest().driver();
        XicsGuestDriver db = (XicsGuestDriver) b.guest().driver();
        for (int c = 0; c < 4; c++) {
            assertEquals(da.cpprTop(c), db.cpprTop(c), "cpu " + c);
        }
        assertEquals(da.defaultServer(), db.defaultServer());
        a.runUntilIdle();
        b.runUntilIdle();
        assertEquals(Json.write(a.guest().stats()), Json.write(b.guest().stats()));
        assertEquals(Json.write(a.pic()), Json.write(b.pic()));
    }

    @Test
    void aResetMachineSnapshotHasNoGuest_andRestoringItDropsTheTargetsGuest() {
        Machine a = booted("xics");
        byte[] withGuest = a.snapshot();
        a.reset();
        byte[] none = a.snapshot();
        Machine b = Machine.create(a.config());
        b.restore(withGuest);
        assertNotNull(b.guest());
        b.restore(none);
        assertNull(b.guest());
    }

    // ------------------------------------------------------------------ refusals

    private static SnapshotException refused(Machine target, List<SnapshotDump.Section> d) {
        byte[] before = target.snapshot();
        SnapshotException e = assertThrows(SnapshotException.class, () -> target.restore(SnapshotDump.encode(d)));
        assertArrayEquals(before, target.snapshot(), "the refused restore changed the target");
        return e;
    }

    private static Map<String, Object> values(List<SnapshotDump.Section> d, String name) {
        return d.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow().values();
    }

    @Test
    void refused_anExceptionEntryThatIsNotAPendingEventOfTheClock() {
        Machine a = booted("xive");
        ring(a, 1);
        List<SnapshotDump.Section> d = SnapshotDump.decode(a.snapshot());
        // an order the clock never handed out (its counter is below it)
        long[] seq = (long[]) values(d, "guest").get("exceptionSeq");
        seq[0] = 1L << 40;
        SnapshotException e = refused(booted("xive"), d);
        assertEquals("guest", e.section());
        assertTrue(e.getMessage().contains("the exception entry of cpu 0"), e.getMessage());
    }

    @Test
    void refused_aDriverSectionThatDisagreesWithTheGuestSection() {
        Machine a = booted("xive");
        List<SnapshotDump.Section> d = SnapshotDump.decode(a.snapshot());
        values(d, "guest/xics").put("active", true);
        SnapshotException e = refused(booted("xive"), d);
        assertEquals("guest/xics", e.section());
        assertTrue(e.getMessage().contains("active, though the guest section says the guest runs xive"), e.getMessage());
    }

    @Test
    void refused_aDriverThisVersionDoesNotHave() {
        Machine a = booted("xics");
        List<SnapshotDump.Section> d = SnapshotDump.decode(a.snapshot());
        values(d, "guest").put("driver", "mpic");
        SnapshotException e = refused(booted("xics"), d);
        assertEquals("guest", e.section());
        assertTrue(e.getMessage().contains("the guest ran the interrupt driver 'mpic'"), e.getMessage());
    }

    @Test
    void refused_anInterruptTargetingACpuTheMachineLacks() {
        Machine a = booted("xics");
        List<SnapshotDump.Section> d = SnapshotDump.decode(a.snapshot());
        int[] t = (int[]) values(d, "guest").get("descTarget");
        t[t.length - 1] = 9;
        SnapshotException e = refused(booted("xics"), d);
        assertEquals("guest", e.section());
        assertTrue(e.getMessage().contains("targets cpu 9"), e.getMessage());
    }

    @Test
    void aStreamFromBeforeTheGuestSectionsLoadsAsNoGuestBooted() {
        Machine a = Machine.create(MachineConfig.builder().cpus(4).icMode("xics").build());
        List<SnapshotDump.Section> d = new ArrayList<>(SnapshotDump.decode(a.snapshot()));
        d.removeIf(s -> s.name().startsWith("guest"));
        Machine b = booted("xics");
        b.restore(SnapshotDump.encode(d));
        assertNull(b.guest());
    }

    @Test
    void aBootedGuestWithoutItsDriverSectionIsRefused() {
        Machine a = booted("xive");
        List<SnapshotDump.Section> d = new ArrayList<>(SnapshotDump.decode(a.snapshot()));
        d.removeIf(s -> s.name().equals("guest/xive"));
        SnapshotException e = refused(booted("xive"), d);
        assertEquals("guest/xive", e.section());
        assertTrue(e.getMessage().contains("missing from the stream though the guest section says"), e.getMessage());
    }
}
