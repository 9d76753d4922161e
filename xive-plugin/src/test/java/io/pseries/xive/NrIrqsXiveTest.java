package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.ack;
import static io.pseries.xive.XiveTestSupport.ok;
import static io.pseries.xive.XiveTestSupport.routedSource;
import static io.pseries.xive.XiveTestSupport.trig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;

/**
 * The {@code nrIrqs} machine option on the XIVE controller: the source, EAS and ESB window
 * cover [0, nrIrqs) (QEMU's spapr_xive nr-irqs = SPAPR_XIRQ_BASE + nr_xirqs), so a LISN past
 * QEMU's 0x2000 is a real source, and the first number past the end is H_P2.
 */
class NrIrqsXiveTest {
    static final int NR = 0x11000;

    private static Machine machine(int nrIrqs) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").devices(List.of())
            .nrIrqs(nrIrqs).build());
        m.cas(GuestOv5.linuxVector(0x40));
        return m;
    }

    @Test
    void theDefaultSpaceEndsAt0x2000() {
        Machine m = machine(MachineConfig.builder().build().nrIrqs());
        assertEquals(0x2000, XiveTestSupport.xive(m).nrIrqs());
        assertEquals(PaprRc.H_P2, m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, 0x2000).rc());
    }

    @Test
    void theLastLisnOfALargerSpace_isASourceWhoseEsbPagesWork() {
        Machine m = machine(NR);
        int lisn = NR - 1;
        m.claimIrq(lisn, false, "test");
        ok(m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, lisn));
        routedSource(m, lisn, 1, 0x4242);
        m.store(0, trig(lisn), 8, 0);
        // the event reached vCPU 1's queue at priority 6 with its EISN, and vCPU 1 was signalled
        assertEquals(0x8000_4242, m.memory().read32(XiveTestSupport.QPAGE));
        assertEquals(0x8006, ack(m, 1));
    }

    @Test
    void theFirstNumberPastTheEnd_isH_P2_andCannotBeClaimed() {
        Machine m = machine(NR);
        assertEquals(PaprRc.H_P2, m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, NR).rc());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.claimIrq(NR, false, "test"));
        assertEquals(String.format("IRQ %d (0x%x) is outside the claimable range [0x1000, 0x%x)", NR, NR, NR), e.getMessage());
    }

    @Test
    void theMsiAllocatorHandsOutNumbersPastQemusEnd() {
        Machine m = machine(NR);
        assertEquals(NR - 0x1300, m.irqSpace().nrMsis());
        int first = m.irqSpace().allocMsi(0x1000, 1);
        assertEquals(0x1300, first);
        assertEquals(0x2300, m.irqSpace().allocMsi(1, 1));
    }
}
