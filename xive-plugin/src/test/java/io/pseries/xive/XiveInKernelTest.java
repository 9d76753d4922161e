package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.OS;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.mgmt;
import static io.pseries.xive.XiveTestSupport.trig;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.xive.kvm.SpaprXiveKvm;

/**
 * The sPAPR XIVE with its state in the kernel ({@code kernelIrqchip: 'on'}, QEMU's
 * spapr_xive_kvm.c): every hcall that changes routing tells the kernel device, the ESB and TIMA
 * are the kernel's mappings, and what the model reports ({@code pic()}, H_INT_ESB, the queue
 * position of H_INT_GET_QUEUE_CONFIG with the DEBUG flag) is read back from the kernel, as
 * QEMU's synchronize_state does. Each rule shows as the event reaching (or not) the queue in
 * guest RAM, which only the kernel writes in this mode.
 */
class XiveInKernelTest {
    static final int PRIO = 3;

    private static Machine inKernel(String icMode) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode(icMode).kernelIrqchip("on").devices(List.of()).build());
        m.cas(GuestOv5.linuxVector(0x40));
        assertTrue(xive(m).inKernel());
        return m;
    }

    private static void routeIpi0(Machine m) {
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, 0, PRIO, QPAGE, 16).rc());
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, 0, 0, PRIO, 0x42).rc());
        m.load(0, mgmt(0) + 0xC00, 8); // PQ 00
    }

    private static void fireIpi0(Machine m) {
        m.store(0, trig(0), 8, 0);
        m.runUntilIdle();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(Machine m, int lisn) {
        for (Object o : (List<Object>) m.pic().get("sources")) {
            Map<String, Object> s = (Map<String, Object>) o;
            if (((Integer) s.get("lisn")) == lisn) {
                return s;
            }
        }
        throw new AssertionError("no source " + lisn);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> queue(Machine m, int end) {
        for (Object o : (List<Object>) m.pic().get("queues")) {
            Map<String, Object> q = (Map<String, Object>) o;
            if (((Integer) q.get("end")) == end) {
                return q;
            }
        }
        throw new AssertionError("no queue " + end);
    }

    /** The queue and source configuration hcalls reach the kernel: the kernel writes the event into RAM. */
    @Test
    void queueAndSourceConfig_reachTheKernel_whichWritesTheEventIntoTheQueue() {
        Machine m = inKernel("xive");
        routeIpi0(m);
        fireIpi0(m);
        assertEquals(0x8000_0042L, m.memory().read32(QPAGE) & 0xFFFF_FFFFL, "generation 1, EISN 0x42, by the kernel");
        m.store(0, OS + 0x11, 1, 0xFF);
        assertEquals(0x8003, m.load(0, OS + 0x810, 2), "the kernel's thread context presents it");
    }

    /** pic() pulls the kernel's PQ and queue position first (kvmppc_xive_synchronize_state). */
    @Test
    void pic_isReadBackFromTheKernel_pqAndQueueIndex() {
        Machine m = inKernel("xive");
        routeIpi0(m);
        fireIpi0(m);
        String text = xive(m).picText();            // first, before pic() pulled anything
        assertTrue(text.contains("  00000000 MSI P-    00000042   0/3      1/16384 @1000000 ^1"
            + " [ 00000000 00000000 00000000 00000000 80000042 ^00000000 ]\n"), text);
        assertTrue(text.endsWith("irqchip: in-kernel\n"), text);
        assertEquals(Pq.name(Pq.PENDING), source(m, 0).get("pq"), "P set by the kernel's trigger");
        assertEquals(1, queue(m, SpaprXive.endIndex(0, PRIO)).get("index"), "one entry written by the kernel");
    }

    /** H_INT_GET_QUEUE_CONFIG with the DEBUG flag answers the kernel's index; without it, 0. */
    @Test
    void getQueueConfigDebug_answersTheKernelsQueueIndex() {
        Machine m = inKernel("xive");
        routeIpi0(m);
        fireIpi0(m);
        m.load(0, mgmt(0) + 0xC00, 8);
        fireIpi0(m);
        HcallResult dbg = m.hcall(0, Hcalls.H_INT_GET_QUEUE_CONFIG, 1, 0, PRIO);
        assertEquals(PaprRc.H_SUCCESS, dbg.rc());
        assertEquals(List.of(QPAGE, 16L, 2L), List.of(dbg.rets()[1], dbg.rets()[2], dbg.rets()[3]),
            "queue page, size and the kernel's index 2");
        assertEquals(0L, m.hcall(0, Hcalls.H_INT_GET_QUEUE_CONFIG, 0, 0, PRIO).rets()[3]);
    }

    /** H_INT_ESB goes to the kernel's ESB: a GET answers the PQ the kernel's trigger set. */
    @Test
    void hIntEsb_readsAndWritesTheKernelsEsb() {
        Machine m = inKernel("xive");
        routeIpi0(m);
        fireIpi0(m);
        HcallResult get = m.hcall(0, Hcalls.H_INT_ESB, 0, 0, 0x800, 0);
        assertEquals(PaprRc.H_SUCCESS, get.rc());
        assertEquals(2, get.rets()[0], "PQ 10 in the kernel");
        assertEquals(2, m.hcall(0, Hcalls.H_INT_ESB, 0, 0, 0xC00, 0).rets()[0], "SET_PQ_00 answers the old PQ");
        assertEquals(0, m.hcall(0, Hcalls.H_INT_ESB, 0, 0, 0x800, 0).rets()[0]);
    }

    /** H_INT_RESET resets the kernel's sources too: pic() (read back) shows them off and masked. */
    @Test
    void hIntReset_resetsTheKernelsSources() {
        Machine m = inKernel("xive");
        routeIpi0(m);
        fireIpi0(m);
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_RESET, 0).rc());
        Map<String, Object> s = source(m, 0);
        assertEquals(Pq.name(Pq.OFF), s.get("pq"), "the kernel's PQ after its reset");
        assertEquals(true, s.get("masked"));
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_SYNC, 0, 0).rc());
    }

    /** A device line goes to the kernel's source: an LSI raised shows asserted and fires into the queue. */
    @Test
    void deviceLines_goToTheKernelsSource() {
        Machine m = inKernel("xive");
        int lsi = 0x1200;                          // the PHB's first INTx, an LSI
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, 0, PRIO, QPAGE, 16).rc());
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lsi, 0, PRIO, 0x51).rc());
        m.hcall(0, Hcalls.H_INT_ESB, 0, lsi, 0xC00, 0);
        m.irq(lsi).raise();
        m.runUntilIdle();
        assertEquals(0x8000_0051L, m.memory().read32(QPAGE) & 0xFFFF_FFFFL);
        assertEquals(Pq.name(Pq.PENDING), source(m, lsi).get("pq"));
        assertEquals(true, source(m, lsi).get("asserted"));
    }

    /** A reboot in XIVE-only mode keeps the kernel device (QEMU connects once, spapr_irq_init_kvm). */
    @Test
    void reset_inXiveOnlyMode_keepsTheKernelDevice() {
        Machine x = inKernel("xive");
        SpaprXiveKvm k = xive(x).kvm();
        assertNotNull(k);
        x.reset();
        assertTrue(xive(x).inKernel());
        assertSame(k, xive(x).kvm(), "the same device: no second connect");
        assertNull(x.haltReason(), "no fatal kernel_irqchip error on the reboot");
        assertEquals(1, x.host().devices().size());
    }

    /** The sizes the model reports: one thread context per vCPU, the servers (max vCPU id + 1), the MMIO windows. */
    @Test
    void geometry_threadsServersAndRegions() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).threads(1).vsmt(2).icMode("xive").devices(List.of()).build());
        SpaprXive x = xive(m);
        assertEquals(2, x.threads());
        assertEquals(2, x.presenter().threads());
        // QEMU's spapr_max_server_number: cpus x vsmt / threads = 2 x 2 / 1
        assertEquals(4, x.nrServers());
        assertEquals(2, m.cpu(1).vcpuId());
        assertEquals(XiveTestSupport.ESB_BASE, x.esbRegion().base());
        assertEquals((long) x.nrIrqs() << 17, x.esbRegion().size());
        assertEquals(XiveTestSupport.TIMA, x.timaRegion().base());
        assertEquals(4L << 16, x.timaRegion().size());
    }
}
