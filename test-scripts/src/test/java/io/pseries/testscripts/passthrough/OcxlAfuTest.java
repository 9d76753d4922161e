package io.pseries.testscripts.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.host.Errno;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.pt.EventFd;
import io.pseries.core.host.pt.OcxlContext;
import io.pseries.core.host.pt.PhysicalHost;

/** OpenCAPI AFU interrupts on the host (drivers/misc/ocxl; facts §3.1, checklist item 20). */
class OcxlAfuTest {
    private static final String AFU = "0000:05:00.0";

    private record Setup(Machine m, PhysicalHost h, HostInterruptController intc) {
        OcxlContext context() {
            return h.function(AFU).afu().openContext(intc, m.host().config().pageSize());
        }
    }

    private static Setup setup(int linkIrqs) {
        PhysicalHost h = PhysicalHost.of(HostConfig.POWER9, List.of(Map.of("addr", AFU, "msix", 0, "intx", false,
            "ocapi", Map.of("irqs", linkIrqs))));
        Machine m = Machine.create(MachineConfig.builder().cpus(1).icMode("xive").kernelIrqchip("on").build(), h);
        return new Setup(m, h, m.host().vm().hostIntc());
    }

    @Test
    void aContextAllocatesAtMost2000InterruptsThenEnospc() {
        OcxlContext c = setup(2000).context();
        for (int i = 0; i < OcxlContext.MAX_IRQ_PER_CONTEXT; i++) {
            assertTrue(c.allocIrq().isOk(), "irq " + i);
        }
        assertEquals(Errno.ENOSPC, c.allocIrq().errno());
    }

    @Test
    void theLinkCreditIsSharedByItsContextsAndComesBackOnFree() {
        Setup s = setup(64);
        OcxlContext a = s.context();
        OcxlContext b = s.context();
        long first = 0;
        for (int i = 0; i < 40; i++) {
            KvmResult r = a.allocIrq();
            if (i == 0) {
                first = r.value(0);
            }
        }
        for (int i = 0; i < 24; i++) {
            assertTrue(b.allocIrq().isOk());
        }
        assertEquals(Errno.ENOSPC, b.allocIrq().errno(), "the link's 64 credits are used");
        assertTrue(a.freeIrq(first).isOk());
        assertTrue(b.allocIrq().isOk(), "a freed interrupt gives its credit back");
    }

    @Test
    void theTriggerPageMapsOnlyAsExactlyOnePageWriteOnly() {
        OcxlContext c = setup(2000).context();
        long off = c.allocIrq().value(0);
        assertEquals(Errno.EINVAL, c.mmap(off, 2, false, true, false), "two pages");
        assertEquals(Errno.EINVAL, c.mmap(off, 1, true, true, false), "readable");
        assertEquals(Errno.EINVAL, c.mmap(off, 1, false, true, true), "executable");
        assertEquals(Errno.EINVAL, c.mmap(off, 1, false, false, false), "not writable");
        assertEquals(Errno.EINVAL, c.mmap(off + 0x10000, 1, false, true, false), "no irq there");
        assertNull(c.mmap(off, 1, false, true, false));
    }

    @Test
    void anAfuStoreToTheTriggerPageSignalsTheEventfd() {
        OcxlContext c = setup(2000).context();
        long off = c.allocIrq().value(0);
        EventFd e = new EventFd("afu-user");
        assertEquals(Errno.EINVAL, c.setFd(off, e, 1).errno(), "reserved must be 0");
        assertTrue(c.setFd(off, e, 0).isOk());
        long phys = c.triggerAddress(off);
        assertTrue(phys > 0);
        assertTrue(c.afuStore(phys));
        assertTrue(c.afuStore(phys));
        assertEquals(2, e.signals(), "each store is one interrupt (the host EOIs between them)");
    }

    @Test
    void freeingZapsTheOnePageBeforeTheHwInterruptIsReleased() {
        Setup s = setup(2000);
        OcxlContext c = s.context();
        int before = s.intc().allocatedIrqs();
        long off = c.allocIrq().value(0);
        assertNull(c.mmap(off, 1, false, true, false));
        assertEquals(before + 1, s.intc().allocatedIrqs());
        assertTrue(c.freeIrq(off).isOk());
        List<String> log = c.log();
        assertEquals(3, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("zap ") && log.get(1).startsWith("free_irq ")
            && log.get(2).startsWith("xive_native_free_irq "), log.toString());
        assertEquals(before, s.intc().allocatedIrqs(), "the HW IPI went back to the pool");
        assertEquals(Errno.EINVAL, c.freeIrq(off).errno(), "freed twice");
    }
}
