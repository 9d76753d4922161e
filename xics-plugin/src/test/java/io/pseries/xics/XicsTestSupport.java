package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * Shared fixtures: a machine whose only (hence active) controller is XICS, with the default
 * devices (EPOW 0x1000, hot-plug 0x1001, the console 0x1100, all MSIs), and helpers that drive
 * the guest ABI as a guest would.
 */
final class XicsTestSupport {
    static final int EPOW = 0x1000;
    static final int HOTPLUG = 0x1001;
    static final int VTY = 0x1100;
    /** A PHB-style level-triggered number the tests claim themselves. */
    /** An LSI number no device claims (the PHB owns 0x1200-0x1203). */
    static final int LSI = 0x1210;

    private XicsTestSupport() {
    }

    static Machine machine(int cpus) {
        return Machine.create(MachineConfig.builder().cpus(cpus).icMode("xics").build());
    }

    static Machine dual(int cpus) {
        return Machine.create(MachineConfig.builder().cpus(cpus).icMode("dual").build());
    }

    /** A XICS machine whose CPUs all opened their CPPR (H_CPPR 0xFF), as Linux does at boot. */
    static Machine opened(int cpus) {
        Machine m = machine(cpus);
        for (int c = 0; c < cpus; c++) {
            ok(m.hcall(c, Hcalls.H_CPPR, 0xFF));
        }
        return m;
    }

    static SpaprXics xics(Machine m) {
        return (SpaprXics) m.controller("xics");
    }

    static Icp icp(Machine m) {
        return xics(m).icp();
    }

    static Ics ics(Machine m) {
        return xics(m).ics();
    }

    static int status(Machine m, int irq) {
        return ics(m).status(irq - Ics.OFFSET);
    }

    static void ok(HcallResult r) {
        assertEquals(PaprRc.H_SUCCESS, r.rc(), () -> "hcall failed: " + r.rcName());
    }

    /** RTAS by name from CPU 0 with the call's usual nret; returns the status. */
    static int rtas(Machine m, String name, int... args) {
        return m.rtas(0, name, args, -1).status();
    }

    /** ibm,set-xive that must succeed. */
    static void setXive(Machine m, int irq, int server, int prio) {
        assertEquals(0, rtas(m, "ibm,set-xive", irq, server, prio), "ibm,set-xive");
    }

    /** H_XIRR on {@code cpu}; returns R4. */
    static long xirr(Machine m, int cpu) {
        HcallResult r = m.hcall(cpu, Hcalls.H_XIRR, 0xFF);
        ok(r);
        return r.rets()[0];
    }

    static void eoi(Machine m, int cpu, long xirr) {
        ok(m.hcall(cpu, Hcalls.H_EOI, xirr));
    }

    static void cppr(Machine m, int cpu, int v) {
        ok(m.hcall(cpu, Hcalls.H_CPPR, v));
    }

    static void ipi(Machine m, int from, int server, int mfrr) {
        ok(m.hcall(from, Hcalls.H_IPI, server, mfrr));
    }

    static List<TraceEvent> guestErrors(Machine m) {
        List<TraceEvent> l = new ArrayList<>();
        m.trace().subscribe(TraceCategory.GUEST_ERROR, l::add);
        return l;
    }

    static List<String> messages(List<TraceEvent> events) {
        List<String> out = new ArrayList<>();
        for (TraceEvent e : events) {
            out.add(String.valueOf(e.fields().get("message")));
        }
        return out;
    }
}
