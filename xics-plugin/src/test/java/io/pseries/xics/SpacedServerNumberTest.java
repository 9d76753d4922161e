package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.cppr;
import static io.pseries.xics.XicsTestSupport.icp;
import static io.pseries.xics.XicsTestSupport.ipi;
import static io.pseries.xics.XicsTestSupport.rtas;
import static io.pseries.xics.XicsTestSupport.setXive;
import static io.pseries.xics.XicsTestSupport.xirr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;

/**
 * XICS when server numbers are not vCPU indices: 4 vCPUs, 2 threads per core, VSMT 4, so the
 * vCPUs (index 0..3) are servers 0, 1, 4, 5 (QEMU's spapr_vcpu_id; the ICP of a server is found
 * by vCPU id, xics_icp_get) and 2, 3, 6, 7 are server numbers of no ICP.
 */
class SpacedServerNumberTest {
    private final Machine m = Machine.create(MachineConfig.builder().cpus(4).threads(2).vsmt(4).icMode("xics").build());

    private void openAll() {
        for (int c = 0; c < 4; c++) {
            cppr(m, c, 0xFF);
        }
    }

    @Test
    void eachIcpIsTheServerOfItsVcpuId() {
        int[] ids = {0, 1, 4, 5};
        for (int c = 0; c < 4; c++) {
            assertEquals(ids[c], icp(m).serverOf(c), "cpu " + c);
            assertEquals(c, icp(m).cpuOf(ids[c]));
        }
        assertEquals(-1, icp(m).cpuOf(2));
    }

    @Test
    void anIpiToAServerNumberReachesTheVcpuWithThatId() {
        openAll();
        ipi(m, 0, 5, 0x05);
        assertEquals(0x05, icp(m).mfrr(3));
        assertEquals(0xFF, icp(m).mfrr(1), "server 1 is vCPU 1, untouched");
        assertTrue(m.cpu(3).osInterrupt());
        assertEquals(0xFF000002L, xirr(m, 3), "the IPI source (XISR 2), under the old CPPR");
        assertEquals(0x05, icp(m).cppr(3), "accepted at the MFRR priority");
    }

    @Test
    void anIpiToAServerNumberOfNoVcpuIsHParameter() {
        assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.H_IPI, 2, 0x05).rc());
        assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.H_IPI, 8, 0x05).rc());
        for (int c = 0; c < 4; c++) {
            assertEquals(0xFF, icp(m).mfrr(c));
        }
    }

    @Test
    void ipollNamesTheServerByVcpuId() {
        ipi(m, 0, 4, 0x07);
        assertArrayEquals(new long[] {0, 0x07}, m.hcall(0, Hcalls.H_IPOLL, 4).rets());
        assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.H_IPOLL, 3).rc());
    }

    @Test
    void aSourceSetToAServerIsPresentedToTheVcpuWithThatId() {
        openAll();
        setXive(m, VTY, 4, 5);
        assertEquals(0, rtas(m, "ibm,int-on", VTY));
        m.irq(VTY).pulse();
        assertTrue(m.cpu(2).osInterrupt(), "server 4 is vCPU index 2");
        assertFalse(m.cpu(0).osInterrupt());
        assertEquals(0xFF000000L | VTY, xirr(m, 2));
        assertEquals(0x05, icp(m).cppr(2));
    }

    @Test
    void setXiveToAServerOfNoVcpuIsAParameterError() {
        assertEquals(-3, rtas(m, "ibm,set-xive", VTY, 3, 5));
        assertEquals(-3, rtas(m, "ibm,set-xive", VTY, 6, 5));
    }

    @Test
    void theGuestModelBootsAndTakesAnIpiOnEveryVcpu() {
        GuestOs.BootReport r = m.boot(GuestOs.BootOptions.defaults());
        assertEquals("xics", r.mode());
        assertEquals(4, r.cpus());
        for (int to = 1; to < 4; to++) {
            m.guest().ipi(0, to);
        }
        m.guest().ipi(3, 0);
        m.runUntilIdle();
        for (int c = 0; c < 4; c++) {
            assertEquals(1, m.guest().ipisTaken(c), "cpu " + c);
        }
    }
}
