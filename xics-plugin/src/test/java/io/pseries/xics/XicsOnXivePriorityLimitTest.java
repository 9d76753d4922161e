package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.cppr;
import static io.pseries.xics.XicsTestSupport.eoi;
import static io.pseries.xics.XicsTestSupport.ipi;
import static io.pseries.xics.XicsTestSupport.setXive;
import static io.pseries.xics.XicsTestSupport.xics;
import static io.pseries.xics.XicsTestSupport.xirr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;

/**
 * KVM's XICS-on-XIVE keeps one XIVE priority for the host, so the guest's priorities and CPPRs
 * 6 to 0xFE act as 6 (Linux book3s_xive.h {@code xive_prio_from_guest}; its H_CPPR and H_EOI
 * map the CPPR, ibm,set-xive and the SOURCES attribute map the priority a source is delivered
 * at, while ibm,get-xive answers the guest's own). The emulated XICS takes every value as given.
 * Linux guests never see the difference (CPPR 0xFF or 0, sources at 5, IPIs at 4); a guest that
 * uses 6 and 7 does. One test per visible consequence, each checked against the emulated XICS.
 */
class XicsOnXivePriorityLimitTest {

    private static Machine machine(String kernelIrqchip) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xics").kernelIrqchip(kernelIrqchip).build());
        assertEquals(kernelIrqchip.equals("on"), xics(m).inKernel());
        return m;
    }

    private static int xirrCppr(long xirr) {
        return (int) (xirr >>> 24) & 0xFF;
    }

    @Test
    void hCppr_ofSevenActsAsSix_inTheKernel_andTheGuestReadsSixBack() {
        for (String k : List.of("on", "off")) {
            Machine m = machine(k);
            cppr(m, 0, 7);
            long x = xirr(m, 0);                                    // nothing pending: the old CPPR, XISR 0
            assertEquals(k.equals("on") ? 6 : 7, xirrCppr(x), "kernelIrqchip " + k + ": the CPPR H_XIRR returns");
            assertEquals(0, x & 0xFF_FFFF, "kernelIrqchip " + k + ": nothing pending");
        }
    }

    @Test
    void aSourceAtSix_underCpprSeven_isHeldInTheKernel_andPresentedWhenEmulated() {
        for (String k : List.of("on", "off")) {
            Machine m = machine(k);
            cppr(m, 0, 7);
            setXive(m, VTY, 0, 6);
            m.irq(VTY).pulse();
            long x = xirr(m, 0);
            if (k.equals("on")) {
                assertEquals(0, x & 0xFF_FFFF, "in the kernel 6 is not more favoured than CPPR 7 (acting as 6)");
                cppr(m, 0, 0xFF);                                   // opening the CPPR resends it
                assertEquals(VTY, xirr(m, 0) & 0xFF_FFFF, "presented once the CPPR is 0xFF");
            } else {
                assertEquals(VTY, x & 0xFF_FFFF, "emulated: 6 is more favoured than 7");
            }
        }
    }

    @Test
    void aSourceAtSeven_isPresentedAtSix_inTheKernel_butGetXiveAnswersSeven() {
        for (String k : List.of("on", "off")) {
            Machine m = machine(k);
            cppr(m, 0, 0xFF);
            setXive(m, VTY, 0, 7);
            int[] rets = m.rtas(0, "ibm,get-xive", new int[] {VTY}, -1).rets();
            assertEquals(List.of(0, 7), List.of(rets[0], rets[1]),
                "kernelIrqchip " + k + ": ibm,get-xive answers the guest's priority");
            m.irq(VTY).pulse();
            long x = xirr(m, 0);
            assertEquals(VTY, x & 0xFF_FFFF, "kernelIrqchip " + k + ": presented");
            long after = xirr(m, 0);                                // the CPPR the accept left
            assertEquals(k.equals("on") ? 6 : 7, xirrCppr(after), "kernelIrqchip " + k + ": CPPR after the accept");
            eoi(m, 0, (0xFFL << 24) | VTY);
        }
    }

    @Test
    void hEoi_ofCpprSeven_actsAsSix_inTheKernel() {
        for (String k : List.of("on", "off")) {
            Machine m = machine(k);
            cppr(m, 0, 0xFF);
            setXive(m, VTY, 0, 5);
            m.irq(VTY).pulse();
            assertEquals(VTY, xirr(m, 0) & 0xFF_FFFF);
            eoi(m, 0, (7L << 24) | VTY);
            assertEquals(k.equals("on") ? 6 : 7, xirrCppr(xirr(m, 0)), "kernelIrqchip " + k + ": CPPR set by H_EOI");
        }
    }

    @Test
    void theMfrrIsNotMapped_anIpiAtSixUnderCpprSevenWaits_inTheKernel() {
        for (String k : List.of("on", "off")) {
            Machine m = machine(k);
            cppr(m, 1, 7);
            ipi(m, 0, 1, 6);
            long x = xirr(m, 1);
            assertEquals(k.equals("on") ? 0 : 2, x & 0xFF_FFFF, "kernelIrqchip " + k + ": IPI at 6 under CPPR 7");
            if (k.equals("on")) {
                cppr(m, 1, 0xFF);
                long y = xirr(m, 1);
                assertEquals(2, y & 0xFF_FFFF, "the IPI comes once the CPPR opens");
                assertEquals(6, xirrCppr(xirr(m, 1)), "CPPR after taking it is the MFRR, 6");
            }
        }
    }

    @Test
    void cpprsBelowSixAndFF_areTakenAsGiven_inTheKernel() {
        Machine m = machine("on");
        for (int c : new int[] {0, 3, 5, 0xFF}) {
            cppr(m, 0, c);
            assertEquals(c, xirrCppr(xirr(m, 0)), "CPPR " + c);
        }
    }
}
