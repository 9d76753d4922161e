package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.cppr;
import static io.pseries.xics.XicsTestSupport.rtas;
import static io.pseries.xics.XicsTestSupport.setXive;
import static io.pseries.xics.XicsTestSupport.xirr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dt.DtNode;
import io.pseries.core.rtas.RtasStatus;

/**
 * The {@code nrIrqs} machine option on XICS: the ICS has nr_xirqs = nrIrqs - 0x1000 sources
 * (QEMU's ics nr-irqs), and the PHB advertises nrIrqs - 0x1300 MSIs ({@code ibm,pe-total-#msi}
 * = spapr_irq_nr_msis).
 */
class NrIrqsXicsTest {
    static final int NR = 0x11000;

    private static Machine machine(int nrIrqs) {
        return Machine.create(MachineConfig.builder().cpus(2).icMode("xics").nrIrqs(nrIrqs).build());
    }

    @Test
    void theIcsHasNrIrqsMinus0x1000Sources() {
        assertEquals(0x1000, XicsTestSupport.ics(machine(0x2000)).nrIrqs());
        assertEquals(NR - 0x1000, XicsTestSupport.ics(machine(NR)).nrIrqs());
    }

    @Test
    void aSourcePastQemusEnd_isDeliveredThroughTheIcp() {
        Machine m = machine(NR);
        int irq = NR - 1;
        m.claimIrq(irq, false, "test");
        cppr(m, 1, 0xff);
        setXive(m, irq, 1, 5);
        m.irq(irq).pulse();
        assertEquals(0xff00_0000L | irq, xirr(m, 1));
    }

    @Test
    void setXive_onTheFirstNumberPastTheIcs_isParamError() {
        Machine m = machine(NR);
        assertEquals(RtasStatus.PARAM_ERROR, rtas(m, "ibm,set-xive", NR, 0, 5));
        assertEquals(RtasStatus.SUCCESS, rtas(m, "ibm,set-xive", NR - 1, 0, 5));
    }

    @Test
    void thePhbAdvertisesTheLargerMsiCount() {
        DtNode phb = machine(NR).deviceTree().child("pci@800000020000000");
        assertEquals(NR - 0x1300, phb.cells("ibm,pe-total-#msi")[0]);
        DtNode dflt = machine(0x2000).deviceTree().child("pci@800000020000000");
        assertEquals(0xd00, dflt.cells("ibm,pe-total-#msi")[0]);
    }
}
