package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.mgmt;
import static io.pseries.xive.XiveTestSupport.trig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.pseries.core.GuestAccessPort;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * A resolved access site ({@link GuestAccessPort}) is the access {@code Machine.load}/{@code store}
 * makes at its address: the same value, the same VMM exit charged and counted, the same guest
 * errors and trace events, the same device state after, on every kind of address (ESB trigger
 * and management pages, the TIMA's OS ACK and CPPR, RAM, an unassigned address, a misaligned
 * TIMA access), and it follows the address map when it changes under it (a reset in dual mode
 * unmaps the XIVE windows; the in-kernel device's pages are mapped by memory slots).
 */
class GuestAccessPortTest {
    static final int LISN = 0x1500;
    static final long TIMA_OS = SpaprXive.TM_BASE + ((long) Tima.PAGE_OS << Tima.SHIFT);

    /** One guest access: a load (value null) or a store. */
    record Access(long addr, int size, Long value) {
    }

    /** B1's interrupt and the odd cases around it, in order. */
    static List<Access> sequence() {
        List<Access> l = new ArrayList<>();
        l.add(new Access(mgmt(LISN) + XiveSource.ESB_SET_PQ_00, 8, null));          // unmask
        l.add(new Access(TIMA_OS + ThreadContext.QW1_OS + ThreadContext.CPPR, 1, 0xffL));
        for (int i = 0; i < 3; i++) {
            l.add(new Access(trig(LISN), 8, 0L));                                    // trigger
            l.add(new Access(TIMA_OS + Tima.SPC_ACK_OS_REG, 2, null));               // ACK
            l.add(new Access(QPAGE + 4L * i, 4, null));                              // EQ entry (RAM)
            l.add(new Access(mgmt(LISN) + XiveSource.ESB_SET_PQ_00, 8, null));       // EOI
            l.add(new Access(TIMA_OS + ThreadContext.QW1_OS + ThreadContext.CPPR, 1, 0xffL));
        }
        l.add(new Access(TIMA_OS + Tima.SPC_ACK_OS_REG + 1, 2, null));               // misaligned
        l.add(new Access(0x7000_0000_0000L, 4, null));                               // unassigned load
        l.add(new Access(0x7000_0000_0000L, 4, 5L));                                 // unassigned store
        l.add(new Access(QPAGE + 0x800, 8, 0x1234_5678_9abcL));                      // RAM store
        l.add(new Access(QPAGE + 0x800, 8, null));
        return l;
    }

    static Machine machine(String kernelIrqchip) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive")
            .kernelIrqchip(kernelIrqchip).devices(List.of()).build());
        m.cas(GuestOv5.linuxVector(0x40));
        m.claimIrq(LISN, false, "test");
        XiveTestSupport.queue(m, 0, 6, QPAGE, 16, 1);   // 64 KiB, always notify: what KVM accepts
        XiveTestSupport.route(m, LISN, 0, 6, LISN);
        return m;
    }

    /** What each access answered, and the machine's accounting and state after it. */
    static List<String> run(Machine m, boolean traced, List<Access> seq, Function<Access, Long> how) {
        List<TraceEvent> events = new ArrayList<>();
        m.trace().subscribe(TraceCategory.GUEST_ERROR, events::add);
        if (traced) {
            m.trace().subscribe(TraceCategory.MMIO, events::add);
        }
        List<String> out = new ArrayList<>();
        for (Access a : seq) {
            Long v = how.apply(a);
            out.add(String.format("0x%x/%d %s -> %s exitNs=%d pq=%d cppr=%d stats=%s events=%d", a.addr(), a.size(),
                a.value() == null ? "load" : "store " + a.value(), v, m.lastExitNs(),
                XiveTestSupport.pq(m, LISN), XiveTestSupport.xive(m).threadContext(0).reg(ThreadContext.QW1_OS + ThreadContext.CPPR),
                m.host().stats().toMap(), events.size()));
        }
        for (TraceEvent e : events) {
            out.add(e.category() + " " + e.name() + " " + e.fields());
        }
        return out;
    }

    static Long viaMachine(Machine m, Access a) {
        if (a.value() == null) {
            return m.load(0, a.addr(), a.size());
        }
        m.store(0, a.addr(), a.size(), a.value());
        return null;
    }

    /** Each site's port is made once and reused, as a guest loop would. */
    static Function<Access, Long> viaPorts(Machine m) {
        java.util.Map<Access, GuestAccessPort> ports = new java.util.HashMap<>();
        return a -> {
            GuestAccessPort p = ports.computeIfAbsent(new Access(a.addr(), a.size(), null), k -> m.port(0, k.addr(), k.size()));
            if (a.value() == null) {
                return p.load();
            }
            p.store(a.value());
            return null;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void aPortAccessIsTheSameAccessAsMachineLoadAndStore(String kernelIrqchip) {
        Machine ref = machine(kernelIrqchip);
        Machine m = machine(kernelIrqchip);
        List<String> want = run(ref, false, sequence(), a -> viaMachine(ref, a));
        assertTrue(want.get(3).contains("-> " + 0x8006), "precondition: the ACK (NSR OS, CPPR 6) presented it: " + want.get(3));
        if (kernelIrqchip.equals("on")) {
            assertTrue(ref.host().stats().toMap().get("directAccesses") instanceof Long n && n > 0,
                "precondition: the in-kernel device's pages are mapped, so its accesses go direct");
        }
        assertEquals(want, run(m, false, sequence(), viaPorts(m)));
    }

    @Test
    void aTracedPortAccessEmitsTheMmioEventsMachineLoadEmits() {
        Machine ref = machine("off");
        Machine m = machine("off");
        List<String> want = run(ref, true, sequence(), a -> viaMachine(ref, a));
        assertTrue(want.stream().anyMatch(s -> s.startsWith("MMIO load")), "precondition: traced: " + want);
        assertEquals(want, run(m, true, sequence(), viaPorts(m)));
    }

    /**
     * A port made while the XIVE windows were mapped, used after they were unmapped (in dual mode
     * the machine deactivates XIVE while XICS is the active controller; the XICS plugin is not on
     * this module's class path, so the switch is driven directly): its address is unassigned, so a
     * load answers all ones with the guest error, as Machine.load does, and a store changes nothing.
     * Mapped again, the port reaches the window again.
     */
    @Test
    void aPortFollowsTheAddressMapWhenTheXiveWindowsAreUnmapped() {
        Machine m = machine("off");
        GuestAccessPort ack = m.port(0, TIMA_OS + Tima.SPC_ACK_OS_REG, 2);
        GuestAccessPort trigger = m.port(0, trig(LISN), 8);
        assertEquals(0, ack.load() & 0xff00, "mapped: nothing pending");
        m.load(0, mgmt(LISN) + XiveSource.ESB_SET_PQ_00, 8);
        trigger.store(0);
        assertEquals(0b10, XiveTestSupport.pq(m, LISN), "mapped: the trigger reached the source");
        XiveTestSupport.xive(m).deactivate();
        List<TraceEvent> errors = XiveTestSupport.guestErrors(m);
        assertEquals(0xffff, ack.load(), "unmapped");
        int pq = XiveTestSupport.pq(m, LISN);
        trigger.store(0);
        assertEquals(pq, XiveTestSupport.pq(m, LISN), "a store to an unmapped window changes nothing");
        assertEquals(2, errors.size(), "one guest error each: " + errors);
        assertTrue(XiveTestSupport.anyMessageContains(errors, "load from unassigned address"));
        assertTrue(XiveTestSupport.anyMessageContains(errors, "store to unassigned address"));
        XiveTestSupport.xive(m).activate();
        trigger.store(0);
        assertEquals(0b11, XiveTestSupport.pq(m, LISN), "mapped again: the trigger reaches the source");
        assertEquals(2, errors.size());
    }

    @Test
    void aStoppedMachineRefusesAPortsAccessAsItRefusesMachineLoad() {
        Machine m = machine("off");
        GuestAccessPort ack = m.port(0, TIMA_OS + Tima.SPC_ACK_OS_REG, 2);
        GuestAccessPort cppr = m.port(0, TIMA_OS + ThreadContext.QW1_OS + ThreadContext.CPPR, 1);
        ack.load();
        cppr.store(5);
        m.stop("migrated");
        String load = assertThrows(IllegalStateException.class, () -> m.load(0, ack.addr(), 2)).getMessage();
        assertEquals(load, assertThrows(IllegalStateException.class, ack::load).getMessage());
        String store = assertThrows(IllegalStateException.class, () -> m.store(0, cppr.addr(), 1, 0)).getMessage();
        assertEquals(store, assertThrows(IllegalStateException.class, () -> cppr.store(0)).getMessage());
        assertEquals(5, XiveTestSupport.xive(m).threadContext(0).reg(ThreadContext.QW1_OS + ThreadContext.CPPR),
            "the CPPR is untouched");
    }

    @Test
    void aPortOfABadSizeIsRefusedWhenMade() {
        Machine m = machine("off");
        assertThrows(IllegalArgumentException.class, () -> m.port(0, TIMA_OS, 3));
        assertThrows(RuntimeException.class, () -> m.port(2, TIMA_OS, 2));
    }
}
