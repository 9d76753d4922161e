package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;

/**
 * What a guest (and {@code pic()}) sees of the TIMA and of LSIs with the in-kernel XIVE, one
 * rule per test, each decided by what KVM (book3s_xive*.c) and QEMU's spapr_xive_kvm.c do.
 */
class KernelIrqchipGuestViewTest {
    static final long ESB = 0x0006_0100_0000_0000L;
    static final long TIMA_OS = 0x0006_0302_0318_0000L + 0x20000;
    static final long QPAGE = 0x0100_0000L;
    static final int LSI = 0x1200;

    private static Machine xive(String kernelIrqchip) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").kernelIrqchip(kernelIrqchip).build());
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals("on".equals(kernelIrqchip), m.activeController().inKernel());
        return m;
    }

    /** Queue (cpu 0, priority 1), source {@code lisn} routed there with EISN 0x42. */
    private static void route(Machine m, int lisn, int prio) {
        assertEquals(0, m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, 0, prio, QPAGE, 16).rc());
        assertEquals(0, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lisn, 0, prio, 0x42).rc());
    }

    private static long ack(Machine m) {
        return m.load(0, TIMA_OS + 0x810, 2);
    }

    /**
     * The ACK answers (NSR before the ACK) << 8 | CPPR after it, in the kernel as emulated: the
     * kernel's VP starts with CPPR 0 as the emulated thread context does (KVM's initial saved
     * words, and QEMU pushes none at connect), so a fresh thread acks 0x0000, then with CPPR
     * 0xFF and priority 1 pending 0x8001, then 0x0001.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void timaAck_answersNsrBeforeAndCpprAfter_fromTheSameStartingCpprInBothModes(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        assertEquals(0x0000, ack(m), "CPPR 0, nothing pending");
        route(m, 0, 1);
        m.store(0, TIMA_OS + 0x11, 1, 0xff);
        assertEquals(0x00ff, ack(m), "CPPR 0xFF, nothing pending");
        m.load(0, ESB + 0x10000 + 0xc00, 8);       // IPI 0: PQ 00
        m.store(0, ESB, 8, 0);                     // trigger
        m.runUntilIdle();
        assertEquals(0x8001, ack(m), "signalled (NSR 0x80), CPPR takes priority 1");
        assertEquals(0x0001, ack(m), "nothing more: NSR 0, CPPR stays 1");
    }

    /**
     * A 4-byte load of OS word 0 reads NSR, CPPR, IPB and LSMFB; with KVM, LSMFB is 0 (the pull
     * saves 0 and the push writes it back, kvmppc_xive_pull_vcpu), emulated 0xFF.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void timaOsWord0_readsNsrCpprIpb_andLsmfbZeroInTheKernel(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        long lsmfb = "on".equals(kernelIrqchip) ? 0 : 0xff;
        assertEquals(lsmfb, m.load(0, TIMA_OS + 0x10, 4));
        route(m, 0, 3);
        m.store(0, TIMA_OS + 0x11, 1, 5);
        m.store(0, TIMA_OS + 0x812, 1, 6);         // SET_OS_PENDING priority 6: IPB 0x02, not signalled
        assertEquals(0x0005_0200L | lsmfb, m.load(0, TIMA_OS + 0x10, 4));
        m.load(0, ESB + 0x10000 + 0xc00, 8);
        m.store(0, ESB, 8, 0);                     // priority 3 beats CPPR 5
        m.runUntilIdle();
        assertEquals(0x8005_1200L | lsmfb, m.load(0, TIMA_OS + 0x10, 4));
    }

    /**
     * {@code pic()} in kernel mode is QEMU's {@code info pic} with an in-kernel XIVE: the OS ring
     * words come from KVM_GET_ONE_REG(VP_STATE), the words the pull saved: LSMFB 0, ACK# 0xFF,
     * AGE 0 (an 8-byte load through the HV view does not show it), NSR, CPPR, IPB and PIPR as the
     * thread has them (PIPR follows IPB: 0xFF when nothing is pending, not 0).
     */
    @Test
    void picInKernel_showsThePulledVpState_lsmfbAgeZero_ackFf_piprFollowingIpb() {
        Machine m = xive("on");
        Map<String, Object> os = os(m, 1);
        assertEquals(Map.of("nsr", 0, "cppr", 0, "ipb", 0, "lsmfb", 0, "ack", 0xff, "inc", 0, "age", 0, "pipr", 0xff),
            withoutW2(os));
        route(m, 0, 3);
        m.store(0, TIMA_OS + 0x11, 1, 0xff);
        m.load(0, ESB + 0x10000 + 0xc00, 8);
        m.store(0, ESB, 8, 0);
        m.runUntilIdle();
        assertEquals(Map.of("nsr", 0x80, "cppr", 0xff, "ipb", 0x10, "lsmfb", 0, "ack", 0xff, "inc", 0, "age", 0, "pipr", 3),
            withoutW2(os(m, 0)));
        assertEquals(0x8003, ack(m), "pic() kicked the vCPU out and back in: the event is still presented");
        String text = m.activeController().picText();
        assertTrue(text.contains("CPU[0000]:   OS    00   03  00    00   ff  00  00   ff  80000400"), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xive", "xics"})
    void picText_endsWithTheIrqchipLine_inKernelOrEmulated(String icMode) {
        for (String k : List.of("off", "on")) {
            Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode(icMode).kernelIrqchip(k).build());
            String text = m.activeController().picText();
            String want = "irqchip: " + ("on".equals(k) ? "in-kernel" : "emulated");
            assertTrue(text.endsWith(want + System.lineSeparator()) || text.endsWith(want + "\n"), text);
        }
    }

    /**
     * An LSI's LOAD_EOI through H_INT_ESB with the line still asserted re-fires in both modes,
     * but the value differs as in QEMU: the emulated ESB answers whether the EOI forwarded an
     * event (1), QEMU's KVM path (kvmppc_xive_esb_rw) sets PQ 00, re-triggers through the
     * mapping and answers 0.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void lsiLoadEoiThroughHIntEsb_whileAsserted_refires_answeringOneEmulatedAndZeroInKernel(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        route(m, LSI, 5);
        m.store(0, TIMA_OS + 0x11, 1, 0xff);
        assertEquals(1, m.hcall(0, Hcalls.H_INT_ESB, 0, LSI, 0xc00, 0).rets()[0], "unmasked: PQ was 01");
        m.irq(LSI).raise();
        m.runUntilIdle();
        assertEquals(0x8005, ack(m));
        HcallResult eoi = m.hcall(0, Hcalls.H_INT_ESB, 0, LSI, 0x000, 0);
        m.runUntilIdle();
        assertEquals(0, eoi.rc());
        assertEquals("on".equals(kernelIrqchip) ? 0 : 1, eoi.rets()[0]);
        assertEquals(2, m.hcall(0, Hcalls.H_INT_ESB, 0, LSI, 0x800, 0).rets()[0], "fired again: PQ 10");
        assertEquals(0x8000_0042L, m.memory().read32(QPAGE + 4) & 0xffff_ffffL, "a second event in the queue");
        m.store(0, TIMA_OS + 0x11, 1, 0xff);
        assertEquals(0x8005, ack(m), "presented again");
    }

    /**
     * The hardware IPI behind an LSI has MSI rules: a second trigger while P is set sets Q (the
     * emulated LSI never sets Q); the EOI through H_INT_ESB sets PQ 00 whatever Q was.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void lsiTriggeredTwiceWhilePending_setsQOnlyInTheKernel_andTheEoiClearsBoth(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        route(m, LSI, 5);
        m.hcall(0, Hcalls.H_INT_ESB, 0, LSI, 0xc00, 0);
        m.irq(LSI).pulse();
        m.irq(LSI).pulse();
        m.runUntilIdle();
        assertEquals("on".equals(kernelIrqchip) ? 3 : 2, m.hcall(0, Hcalls.H_INT_ESB, 0, LSI, 0x800, 0).rets()[0]);
        m.hcall(0, Hcalls.H_INT_ESB, 0, LSI, 0x000, 0);
        m.runUntilIdle();
        assertEquals(0, m.hcall(0, Hcalls.H_INT_ESB, 0, LSI, 0x800, 0).rets()[0], "line low: PQ 00, no re-fire");
    }

    /** Triggers IPI 0 (PQ 00 first) and answers whether an event reached (cpu 0, priority 3)'s queue and TIMA. */
    private static boolean delivered(Machine m) {
        m.load(0, ESB + 0x10000 + 0xc00, 8);
        m.store(0, ESB, 8, 0);
        m.runUntilIdle();
        m.store(0, TIMA_OS + 0x11, 1, 0xff);
        return m.memory().read32(QPAGE) != 0 && ack(m) == 0x8003;
    }

    /**
     * H_INT_SET_SOURCE_CONFIG with the MASK flag and a new target reaches the kernel with the
     * MASKED bit (QEMU's kvmppc_xive_set_source_config encodes it): the source is masked there
     * as in the emulated EAS, a trigger goes nowhere.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void sourceConfigWithTheMaskFlag_masksTheSourceInTheKernelToo(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        route(m, 0, 3);
        assertEquals(0, m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, 1, 3, QPAGE + 0x10000, 16).rc());
        assertEquals(0, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 3, 0, 1, 3, 0x43).rc());
        assertEquals(List.of(false, 0), List.of(delivered(m), m.memory().read32(QPAGE + 0x10000)));
    }

    /**
     * The kernel compares the new (server, priority, EISN) with the source's current one before it
     * looks at MASKED (kvmppc_xive_native_update_source_config): the MASK flag with an unchanged
     * target changes nothing in the kernel, so the source still delivers where the emulated EAS
     * is masked. A QEMU/KVM difference; Linux never sets the MASK flag.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void sourceConfigWithTheMaskFlagAndAnUnchangedTarget_isANoOpInTheKernel(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        route(m, 0, 3);
        assertEquals(0, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 3, 0, 0, 3, 0x42).rc());
        assertEquals("on".equals(kernelIrqchip), delivered(m));
    }

    /**
     * Priority 0xFF resets the EAS to VALID|MASKED without telling the kernel (QEMU 7.2 jumps past
     * kvmppc_xive_set_source_config), so the in-kernel source keeps its routing: with its ESB
     * unmasked a trigger is still delivered. Linux masks the ESB (SET_PQ_01) first.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void sourceConfigPriorityFF_isNotToldToTheKernel_whichKeepsTheRouting(String kernelIrqchip) {
        Machine m = xive(kernelIrqchip);
        route(m, 0, 3);
        assertEquals(0, m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, 0, 0, 0xff, 0).rc());
        assertEquals(0xff, m.hcall(0, Hcalls.H_INT_GET_SOURCE_CONFIG, 0, 0).rets()[1], "the guest's view: masked");
        assertEquals("on".equals(kernelIrqchip), delivered(m));
    }

    /**
     * XICS-on-XIVE's H_EOI of a number outside the kernel's sources answers H_PARAMETER (after
     * taking the CPPR, as the kernel does), the emulated ICP's H_SUCCESS; 0, the IPI and the
     * ICS's sources answer H_SUCCESS in both.
     */
    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void xicsEoiOfAnUnknownSource_isHParameterInTheKernel_andStillSetsCppr(String kernelIrqchip) {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xics").kernelIrqchip(kernelIrqchip).build());
        assertEquals("on".equals(kernelIrqchip), m.activeController().inKernel());
        long unknown = "on".equals(kernelIrqchip) ? -4 : 0;   // H_PARAMETER
        assertEquals(unknown, m.hcall(0, Hcalls.H_EOI, 0x0500_0001L).rc());
        assertEquals(0x0500_0000L, m.hcall(0, Hcalls.H_IPOLL, 0).rets()[0], "CPPR 5 taken either way");
        assertEquals(unknown, m.hcall(0, Hcalls.H_EOI, 0xff00_2000L).rc());
        for (long xirr : new long[] {0xff00_0000L, 0xff00_0002L, 0xff00_1000L, 0xff00_1fffL}) {
            assertEquals(0, m.hcall(0, Hcalls.H_EOI, xirr).rc(), Long.toHexString(xirr));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> os(Machine m, int cpu) {
        return (Map<String, Object>) ((Map<String, Object>) ((List<Object>) m.pic().get("cpus")).get(cpu)).get("os");
    }

    private static Map<String, Object> withoutW2(Map<String, Object> os) {
        Map<String, Object> r = new java.util.HashMap<>(os);
        r.remove("w2");
        return r;
    }
}
