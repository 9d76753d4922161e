package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.EPOW;
import static io.pseries.xics.XicsTestSupport.HOTPLUG;
import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.guestErrors;
import static io.pseries.xics.XicsTestSupport.icp;
import static io.pseries.xics.XicsTestSupport.ics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestTiming;
import io.pseries.core.guest.IrqDesc;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;
import io.pseries.xics.guest.XicsGuestDriver;

/**
 * The Linux-like guest booted on 4 vCPUs in XICS mode (icMode 'xics', and 'dual' with a
 * {@code xive=off} guest), then IPIs and device interrupts end to end (facts §13.7-13.11,
 * qemu-observed "XICS as the guest drives it"); and 'dual' with a default guest, which boots
 * XIVE.
 */
class XicsGuestBootTest {
    static final int CPUS = 4;
    static final int[] DEVICES = {EPOW, HOTPLUG, VTY};

    static Stream<Arguments> xicsGuests() {
        return Stream.of(
            Arguments.of("xics", GuestOv5.Offer.BOTH),
            Arguments.of("dual", GuestOv5.Offer.LEGACY));
    }

    static Machine boot(String icMode, GuestOv5.Offer offer) {
        Machine m = Machine.create(MachineConfig.builder().cpus(CPUS).icMode(icMode).build());
        GuestOs.BootReport r = m.boot(new GuestOs.BootOptions(offer, GuestTiming.DEFAULT));
        assertEquals("xics", r.mode());
        assertEquals("xics", m.icMode());
        return m;
    }

    /** Every ICP idle and open, every CPU input low, every started source at priority 5 on server 0. */
    static void assertIdle(Machine m) {
        for (int c = 0; c < CPUS; c++) {
            assertEquals(0xFF00_0000, icp(m).xirr(c), "cpu " + c + " XIRR");
            assertEquals(0xFF, icp(m).mfrr(c), "cpu " + c + " MFRR");
            assertEquals(0xFF, icp(m).pending(c), "cpu " + c + " pending");
            assertFalse(m.cpu(c).osInterrupt(), "cpu " + c + " line");
        }
        for (int irq : DEVICES) {
            int s = irq - Ics.OFFSET;
            assertEquals(5, ics(m).priority(s), String.format("0x%x priority", irq));
            assertEquals(0, ics(m).server(s), String.format("0x%x server", irq));
            assertEquals(0, ics(m).status(s), String.format("0x%x status", irq));
        }
    }

    @ParameterizedTest(name = "{0} machine, {1} guest: boots XICS, devices on cpu 0, idle")
    @MethodSource("xicsGuests")
    void boot_startsEveryDeviceOnTheBootCpuAtPriority5_andLeavesEveryIcpIdle(String icMode, GuestOv5.Offer offer) {
        Machine m = boot(icMode, offer);
        for (IrqDesc d : m.guest().interrupts().values()) {
            assertEquals(0, d.target(), d.name());
            assertTrue(d.started());
        }
        assertEquals(DEVICES.length, m.guest().interrupts().size());
        for (int c = 0; c < CPUS; c++) {
            assertNotNull(m.guest().ipiOf(c));
            assertEquals(2, m.guest().ipiOf(c).hwirq());
        }
        assertIdle(m);
    }

    @ParameterizedTest(name = "{0} machine, {1} guest: each IPI of a ring is taken once")
    @MethodSource("xicsGuests")
    void ipiRing_eachCpuTakesItsIpiOnce(String icMode, GuestOv5.Offer offer) {
        Machine m = boot(icMode, offer);
        List<TraceEvent> errors = guestErrors(m);
        GuestOs g = m.guest();
        for (int i = 0; i < CPUS; i++) {
            g.ipi(i, (i + 1) % CPUS);
        }
        m.runUntilIdle();
        for (int c = 0; c < CPUS; c++) {
            assertEquals(1, g.ipisTaken(c), "cpu " + c);
        }
        assertIdle(m);
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @ParameterizedTest(name = "{0} machine, {1} guest: all-to-all, with time between rounds")
    @MethodSource("xicsGuests")
    void ipiAllToAll_eachIpiTakenOnce(String icMode, GuestOv5.Offer offer) {
        Machine m = boot(icMode, offer);
        GuestOs g = m.guest();
        for (int from = 0; from < CPUS; from++) {
            for (int to = 0; to < CPUS; to++) {
                if (from != to) {
                    g.ipi(from, to);
                    m.runUntilIdle();
                }
            }
        }
        for (int c = 0; c < CPUS; c++) {
            assertEquals(CPUS - 1, g.ipisTaken(c), "cpu " + c);
        }
        assertIdle(m);
    }

    @Test
    void ipiAllToAll_sentAtOnce_theMfrrCoalesces_oneInterruptPerTarget() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        GuestOs g = m.guest();
        for (int from = 0; from < CPUS; from++) {
            for (int to = 0; to < CPUS; to++) {
                if (from != to) {
                    g.ipi(from, to);
                }
            }
        }
        m.runUntilIdle();
        for (int c = 0; c < CPUS; c++) {
            assertEquals(1, g.ipisTaken(c), "cpu " + c);
        }
        assertIdle(m);
    }

    @ParameterizedTest(name = "{0} machine, {1} guest: device lines are handled on cpu 0")
    @MethodSource("xicsGuests")
    void deviceLines_areHandledOnCpu0_once(String icMode, GuestOv5.Offer offer) {
        Machine m = boot(icMode, offer);
        GuestOs g = m.guest();
        for (int irq : DEVICES) {
            m.irq(irq).pulse();
        }
        m.runUntilIdle();
        for (int irq : DEVICES) {
            for (int c = 0; c < CPUS; c++) {
                assertEquals(c == 0 ? 1 : 0, g.irqsTaken(c, irq), String.format("0x%x on cpu %d", irq, c));
            }
        }
        assertIdle(m);
    }

    @Test
    void ipiAndDevices_onTheSameCpu_allHandled() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        GuestOs g = m.guest();
        g.ipi(1, 0);
        for (int irq : DEVICES) {
            m.irq(irq).pulse();
        }
        g.ipi(2, 0);
        m.runUntilIdle();
        assertEquals(1, g.ipisTaken(0));
        for (int irq : DEVICES) {
            assertEquals(1, g.irqsTaken(0, irq));
        }
        assertIdle(m);
    }

    @Test
    void ipi_isTheObservedHcallSequence() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        List<String> calls = new ArrayList<>();
        m.on(TraceCategory.HCALL, e -> calls.add(String.format("cpu%d %s%s -> %s%s", e.cpu(), e.name(),
            hex(e.fields().get("args")), PaprRc.name((Long) e.fields().get("rc")), hex(e.fields().get("rets")))));
        m.guest().ipi(0, 3);
        m.runUntilIdle();
        assertEquals(List.of(
            "cpu0 H_IPI[3, 4, 0, 0, 0, 0, 0, 0, 0] -> H_SUCCESS[]",
            "cpu3 H_XIRR[ff, 0, 0, 0, 0, 0, 0, 0, 0] -> H_SUCCESS[ff000002]",
            "cpu3 H_IPI[3, ff, 0, 0, 0, 0, 0, 0, 0] -> H_SUCCESS[]",
            "cpu3 H_EOI[ff000002, 0, 0, 0, 0, 0, 0, 0, 0] -> H_SUCCESS[]"), calls);
    }

    /**
     * Linux 6.1's order on a machine without PCI functions: each secondary is asked about
     * (query-cpu-stopped-state) before it is started; a number is checked (get-xive) when it is
     * mapped and started (set-xive, int-on, get-xive, set-xive) when it is requested: EPOW is
     * mapped and requested first, the VIO bus then maps vty and nvram (the NVRAM's is never
     * requested), the VAS and counter probes meet hcalls QEMU lacks, hot-plug is mapped and
     * requested, and the console requests its interrupt last.
     */
    @Test
    void boot_isLinuxsRtasAndHcallSequence_mapAtProbeStartAtRequest() {
        Machine m = Machine.create(MachineConfig.builder().cpus(CPUS).icMode("xics").build());
        List<String> calls = new ArrayList<>();
        m.on(TraceCategory.RTAS, e -> {
            if (!e.name().equals("start-cpu")) {
                calls.add(e.name() + hex(e.fields().get("args")) + " -> " + e.fields().get("status") + hex(e.fields().get("rets")));
            }
        });
        m.on(TraceCategory.HCALL, e -> calls.add("cpu" + e.cpu() + " " + e.name() + hex(List.of(((List<?>) e.fields().get("args")).get(0)))));
        m.boot(GuestOs.BootOptions.defaults());
        List<String> want = new ArrayList<>();
        want.add("cpu0 H_CPPR[ff]");
        for (int c = 1; c < CPUS; c++) {
            want.add("query-cpu-stopped-state[" + c + "] -> 0[0]");
            want.add("cpu" + c + " H_CPPR[ff]");
        }
        startUp(want, mapCheck(want, EPOW));
        mapCheck(want, VTY);
        mapCheck(want, VTY + 1);
        want.add("cpu0 hcall_0x398[0]");
        want.add("cpu0 hcall_0xf080[3000000]");
        want.add("cpu0 hcall_0xf080[3000000]");
        startUp(want, mapCheck(want, HOTPLUG));
        startUp(want, Integer.toHexString(VTY));
        assertEquals(want, calls);
    }

    private static String mapCheck(List<String> want, int irq) {
        String i = Integer.toHexString(irq);
        want.add("ibm,get-xive[" + i + "] -> 0[0, ff]");
        return i;
    }

    private static void startUp(List<String> want, String i) {
        want.add("ibm,set-xive[" + i + ", 0, 5] -> 0[]");
        want.add("ibm,int-on[" + i + "] -> 0[]");
        want.add("ibm,get-xive[" + i + "] -> 0[0, 5]");
        want.add("ibm,set-xive[" + i + ", 0, 5] -> 0[]");
    }

    private static String hex(Object list) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) list) {
            out.add(Long.toHexString(((Number) o).longValue()));
        }
        return out.toString();
    }

    @Test
    void setAffinity_movesADeviceToAnotherServer_withGetXiveThenSetXive() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        List<String> calls = new ArrayList<>();
        m.on(TraceCategory.RTAS, e -> calls.add(e.name() + hex(e.fields().get("args"))));
        m.guest().setAffinity(VTY, 2);
        assertEquals(List.of("ibm,get-xive[1100]", "ibm,set-xive[1100, 2, 5]"), calls);
        m.irq(VTY).pulse();
        m.runUntilIdle();
        assertEquals(1, m.guest().irqsTaken(2, VTY));
        assertEquals(0, m.guest().irqsTaken(0, VTY));
    }

    @Test
    void shutdown_masksWithIntOffThenSetXive0xFF_andTheLineIsKeptMaskedPending() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        IrqDesc d = m.guest().byHwirq(VTY);
        List<String> calls = new ArrayList<>();
        m.on(TraceCategory.RTAS, e -> calls.add(e.name() + hex(e.fields().get("args"))));
        m.guest().driver().shutdown(d);
        assertEquals(List.of("ibm,int-off[1100]", "ibm,set-xive[1100, 0, ff]"), calls);
        m.irq(VTY).pulse();
        m.runUntilIdle();
        assertEquals(0, m.guest().irqsTaken(0, VTY));
        assertEquals(Ics.STATUS_MASKED_PENDING, ics(m).status(VTY - Ics.OFFSET));
    }

    @Test
    void anInterruptTheGuestNeverMapped_isMaskedThroughRtas_andEoid() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        m.claimIrq(0x1150, false, "test");
        assertEquals(0, m.rtas(0, "ibm,set-xive", new int[] {0x1150, 1, 5}, 1).status());
        List<String> calls = new ArrayList<>();
        m.on(TraceCategory.RTAS, e -> calls.add("cpu" + e.cpu() + " " + e.name() + hex(e.fields().get("args"))));
        m.on(TraceCategory.HCALL, e -> calls.add("cpu" + e.cpu() + " " + e.name() + hex(List.of(((List<?>) e.fields().get("args")).get(0)))));
        m.irq(0x1150).pulse();
        m.runUntilIdle();
        assertEquals(List.of("cpu1 H_XIRR[ff]", "cpu1 ibm,int-off[1150]", "cpu1 ibm,set-xive[1150, 0, ff]", "cpu1 H_EOI[ff001150]"), calls);
        assertEquals(0xFF, ics(m).priority(0x150));
        assertIdle(m);
    }

    @Test
    void driverState_afterBoot_cpprStacksAtTheirBase_defaultServerIsTheBootCpu() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        XicsGuestDriver drv = (XicsGuestDriver) m.guest().driver();
        for (int c = 0; c < CPUS; c++) {
            assertEquals(0xFF, drv.cpprTop(c), "cpu " + c);
        }
        assertEquals(0, drv.defaultServer());
        m.guest().ipi(0, 1);
        m.irq(VTY).pulse();
        m.runUntilIdle();
        for (int c = 0; c < CPUS; c++) {
            assertEquals(0xFF, drv.cpprTop(c), "cpu " + c + " after handling");
        }
    }

    @Test
    void anExceptionWithNothingPresented_isSpurious() {
        Machine m = boot("xics", GuestOv5.Offer.BOTH);
        List<TraceEvent> guest = new ArrayList<>();
        m.on(TraceCategory.GUEST, guest::add);
        m.guest().driver().handleException(1);
        // the guest steps ("op": its H_XIRR) aside, the one event is the spurious report
        assertEquals(List.of("spurious"), guest.stream().map(TraceEvent::name).filter(n -> !n.equals("op")).toList());
        assertIdle(m);
    }

    @Test
    void dualMachine_defaultGuest_bootsXive_andXicsStaysUntouched() {
        Machine m = Machine.create(MachineConfig.builder().cpus(CPUS).icMode("dual").build());
        List<TraceEvent> errors = guestErrors(m);
        GuestOs.BootReport r = m.boot(GuestOs.BootOptions.defaults());
        assertEquals("xive", r.mode());
        assertEquals("xive", m.icMode());
        for (int i = 0; i < CPUS; i++) {
            m.guest().ipi(i, (i + 1) % CPUS);
        }
        for (int irq : DEVICES) {
            m.irq(irq).pulse();
        }
        m.runUntilIdle();
        for (int c = 0; c < CPUS; c++) {
            assertEquals(1, m.guest().ipisTaken(c), "cpu " + c);
            assertEquals(0, icp(m).xirr(c), "the XICS presenters were never used");
        }
        assertEquals(0, ics(m).resendCandidates());
        assertEquals(0xFF, ics(m).priority(VTY - Ics.OFFSET));
        assertEquals(0, ics(m).status(VTY - Ics.OFFSET), "the lines went to XIVE");
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(PaprRc.H_HARDWARE, m.hcall(0, Hcalls.H_CPPR, 0xFF).rc());
        assertEquals(1, errors.size());
    }
}
