package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.setXive;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * What the ICS and ICP report and how they number servers: the INTC 'write_xive' event of
 * every source configuration, the IRQ 'present' event with the XIRR the guest will read, an
 * interrupt offered to a server no ICP serves (a guest error, the source rejected), and server
 * numbers far beyond the vCPU count (QEMU's VSMT spacing).
 */
class XicsEventsTest {

    private static String show(TraceEvent e) {
        return e.name() + " " + e.fields();
    }

    @Test
    void setXive_emitsWriteXive_withIrqServerPriorityAndSaved() {
        Machine m = opened(2);
        List<String> events = new ArrayList<>();
        m.trace().subscribe(TraceCategory.INTC, e -> {
            if (e.name().equals("write_xive")) {
                events.add(show(e));
            }
        });
        setXive(m, VTY, 1, 5);
        assertEquals(0, m.rtas(0, "ibm,int-off", new int[] {VTY}, -1).status());
        assertEquals(List.of("write_xive {irq=4352, server=1, priority=5, saved=5}",
            "write_xive {irq=4352, server=1, priority=255, saved=5}"), events);
    }

    @Test
    void presenting_emitsPresent_withTheXirrTheGuestReads() {
        Machine m = opened(2);
        List<String> events = new ArrayList<>();
        m.trace().subscribe(TraceCategory.IRQ, e -> {
            if (e.name().equals("present")) {
                events.add(e.cpu() + " " + e.fields());
            }
        });
        m.hcall(0, Hcalls.H_IPI, 1, 4);
        assertEquals(List.of("1 {irq=2, server=1, priority=4, xirr=4278190082}"), events,
            "XIRR 0xFF000002: CPPR still 0xFF until the accept, XISR 2 (the IPI)");
    }

    @Test
    void anInterruptForAServerNoIcpServes_isAGuestError_andTheSourceIsRejected() {
        Trace trace = new Trace(() -> 0L);
        List<TraceEvent> errors = new ArrayList<>();
        trace.subscribe(TraceCategory.GUEST_ERROR, errors::add);
        Ics ics = new Ics(trace);
        boolean[] out = new boolean[1];
        Icp icp = new Icp(1, ics, (c, l) -> out[c] = l, trace);
        icp.addServer(0, 0);
        ics.claim(3, false);
        ics.writeXive(3, 9, 5, 5);
        ics.setIrq(3, true);
        assertEquals(List.of("XICS: interrupt 0x1003 targets unknown server 9"),
            errors.stream().map(e -> String.valueOf(e.fields().get("message"))).toList());
        assertEquals(Ics.STATUS_REJECTED, ics.status(3) & Ics.STATUS_REJECTED, "rejected, to be resent");
        assertEquals(false, out[0]);
    }

    @Test
    void serverNumbers_farBeyondTheVcpuCount_mapBackToTheirVcpu() {
        Ics ics = new Ics(new Trace(() -> 0L));
        Icp icp = new Icp(2, ics, (c, l) -> { }, new Trace(() -> 0L));
        icp.addServer(0, 0);
        icp.addServer(1, 100);
        assertEquals(1, icp.cpuOf(100));
        assertEquals(100, icp.serverOf(1));
        assertEquals(-1, icp.cpuOf(50));
        assertEquals(-1, icp.cpuOf(101));
        assertEquals(0, icp.cpuOf(0));
    }
}
