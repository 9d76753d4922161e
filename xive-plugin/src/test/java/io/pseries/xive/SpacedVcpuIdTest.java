package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.ack;
import static io.pseries.xive.XiveTestSupport.cppr;
import static io.pseries.xive.XiveTestSupport.endIndex;
import static io.pseries.xive.XiveTestSupport.endWord;
import static io.pseries.xive.XiveTestSupport.osReg;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.setPq;
import static io.pseries.xive.XiveTestSupport.tctx;
import static io.pseries.xive.XiveTestSupport.trigger;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;

/**
 * XIVE when vCPU ids are not indices: 4 vCPUs, 2 threads per core, VSMT 4, so the vCPUs
 * (index 0..3) have ids 0, 1, 4, 5 and there are 8 server numbers (QEMU's spapr_vcpu_id and
 * spapr_max_server_number). Targets, NVTs and ENDs follow the id (xive-facts.md 8.3, 8.4 and the
 * sPAPR identifiers: NVT 0x400 + id, END (id << 3) + priority); the thread context is the vCPU's.
 */
class SpacedVcpuIdTest {
    private static final int[] IDS = {0, 1, 4, 5};

    private final Machine m = Machine.create(MachineConfig.builder().cpus(4).threads(2).vsmt(4).icMode("xive")
        .devices(List.of()).build());

    private Machine negotiated() {
        m.cas(GuestOv5.linuxVector(0x40));
        return m;
    }

    @Test
    void everyVcpuHasItsQemuId() {
        for (int i = 0; i < 4; i++) {
            assertEquals(IDS[i], m.cpu(i).vcpuId(), "cpu " + i);
        }
        assertEquals(8, m.nrServers());
    }

    @Test
    void anIpiIsClaimedForEveryServerNumberIncludingTheUnusedOnes() {
        negotiated();
        for (int lisn = 0; lisn < 8; lisn++) {
            assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, lisn).rc(), "IPI " + lisn);
        }
        assertEquals(PaprRc.H_P2, m.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, 8).rc(), "past nr_servers");
    }

    @Test
    void thereAreEightEndsPerServerNumber() {
        assertEquals(8 << 3, xive(m).nrEnds());
    }

    @Test
    void eachThreadContextCarriesTheNvtOfItsVcpuId() {
        for (int i = 0; i < 4; i++) {
            assertEquals(0x8000_0000 | (0x400 + IDS[i]), tctx(m, i).word2(ThreadContext.QW1_OS), "cpu " + i);
        }
    }

    @Test
    void aSourceTargetedAtAVcpuIdUsesThatIdsEnd() {
        negotiated();
        queue(m, 5, PRIO, QPAGE, 16, 1);
        route(m, 3, 5, PRIO, 0x42);
        assertEquals(endIndex(5, PRIO), Eas.endIndex(xive(m).router().eas(3)));
        assertTrue((endWord(m, 5, PRIO, 0) & End.W0_VALID) != 0, "END (5 << 3) + 6 was configured");
        assertEquals(0x400 + 5, Field.get32(End.W6_NVT_INDEX, endWord(m, 5, PRIO, 6)));
        assertArrayEquals(new long[] {5, PRIO, 0x42}, m.hcall(0, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, 3).rets());
    }

    @Test
    void anEventForAVcpuIdIsPresentedToTheVcpuWithThatId() {
        negotiated();
        queue(m, 5, PRIO, QPAGE, 16, 1);
        route(m, 3, 5, PRIO, 0x42);
        setPq(m, 3, 0);
        cppr(m, 3, 0xff);   // vCPU index 3 is id 5
        cppr(m, 1, 0xff);
        trigger(m, 3);
        assertTrue(m.cpu(3).osInterrupt());
        assertFalse(m.cpu(1).osInterrupt(), "id 1 (index 1) is another thread");
        assertEquals(0x80000042, m.memory().read32(QPAGE), "EQ entry: generation 1, EISN 0x42");
        assertEquals(0x8006, ack(m, 3), "OS exception at priority 6 on vCPU index 3");
    }

    @Test
    void idsThatNoVcpuHasAreRefusedAsTargets() {
        negotiated();
        // ids 2 and 3 are within the server numbers but belong to no vCPU
        assertEquals(PaprRc.H_P3, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 0, 3, 2, PRIO, 0).rc());
        assertEquals(PaprRc.H_P2, m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 0, 3, PRIO, QPAGE, 16).rc());
        assertEquals(PaprRc.H_P2, m.hcall(0, Hcalls.H_INT_GET_QUEUE_INFO, 0, 2, PRIO).rc());
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_GET_QUEUE_INFO, 0, 4, PRIO).rc());
    }

    @Test
    void theGuestModelBootsAndTakesAnIpiOnEveryVcpu() {
        GuestOs.BootReport r = m.boot(GuestOs.BootOptions.defaults());
        assertEquals("xive", r.mode());
        assertEquals(4, r.cpus());
        for (int to = 1; to < 4; to++) {
            m.guest().ipi(0, to);
        }
        m.guest().ipi(3, 0);
        m.runUntilIdle();
        for (int c = 0; c < 4; c++) {
            assertEquals(1, m.guest().ipisTaken(c), "cpu " + c);
        }
        // each vCPU's IPI is routed to its own id
        for (int c = 0; c < 4; c++) {
            long[] cfg = m.hcall(0, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, c).rets();
            assertEquals(IDS[c], cfg[0], "IPI " + c + " target");
        }
    }

    @Test
    void aTimaAccessReachesTheContextOfTheVcpuMakingIt() {
        cppr(m, 2, 0x05);
        assertEquals(0x05, osReg(m, 2, ThreadContext.CPPR));
        assertEquals(0x00, osReg(m, 1, ThreadContext.CPPR));
        assertEquals(0x00, osReg(m, 3, ThreadContext.CPPR));
    }
}
