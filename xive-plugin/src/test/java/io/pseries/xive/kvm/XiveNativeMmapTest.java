package io.pseries.xive.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.host.Errno;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.Vma;
import io.pseries.xive.ThreadContext;
import io.pseries.xive.XiveSource;

/** Checklist items 1-4 of the pass-through facts (§6): mmap offsets, TIMA and ESB fault handlers. */
class XiveNativeMmapTest {

    @Test
    void checklist1_timaMapsOnlyAtPage0AndAtMostFourPages() {
        KvmXiveFixture f = new KvmXiveFixture(1, io.pseries.core.host.HostConfig.POWER9, false);
        assertTrue(f.vmm().mmap(f.fd, 0, 4, "tima").isOk());
        assertEquals(Errno.EINVAL, f.vmm().mmap(f.fd, 0, 5, "tima").errno());
    }

    @Test
    void checklist1_esbWindowMapsOnlyAtPage4AndAtMost2To21Pages() {
        KvmXiveFixture f = new KvmXiveFixture(1, io.pseries.core.host.HostConfig.POWER9, false);
        assertTrue(f.vmm().mmap(f.fd, 4, 1L << 21, "esb").isOk());
        assertEquals(Errno.EINVAL, f.vmm().mmap(f.fd, 4, (1L << 21) + 1, "esb").errno());
    }

    @Test
    void checklist1_anyOtherOffsetIsEinvalIncludingInsideTheEsbWindow() {
        KvmXiveFixture f = new KvmXiveFixture(1, io.pseries.core.host.HostConfig.POWER9, false);
        for (long pgoff : new long[] {1, 2, 3, 5, 6, 4 + 2 * 0x1000, 1L << 22}) {
            assertEquals(Errno.EINVAL, f.vmm().mmap(f.fd, pgoff, 2, "x").errno(), "pgoff " + pgoff);
        }
        assertEquals(0, f.host.stats().vmas() - 1, "only guest RAM is mapped");
    }

    @Test
    void checklist2_timaPage2FaultsToTheOsRingView() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        long phys = f.touch(f.tima, 2);
        assertEquals(HostXive.TIMA_OS, phys);
        assertEquals(1, f.host.stats().faults());
        // through the mapping, an OS-page CPPR store reaches the host thread context of vCPU 0
        long gpaBase = 0x1000_0000_0000L;
        f.host.memslots().set(5, gpaBase, f.tima.size(), f.tima.start(), 0, "xive.tima");
        f.host.access(f.cpus.get(0), gpaBase + (2L << 16) + 0x11, 1, true, 5);
        assertEquals(io.pseries.core.host.Host.DIRECT, f.host.lastOutcome());
        assertEquals(5, f.hx().threadContext(0).reg(ThreadContext.QW1_OS + ThreadContext.CPPR));
    }

    @Test
    void checklist2_timaPages0And1And3Sigbus() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        for (long p : new long[] {0, 1, 3}) {
            assertEquals(-1, f.touch(f.tima, p), "page " + p);
        }
        assertEquals(3, f.host.stats().sigbus());
        assertEquals(0, f.tima.pagesMapped());
    }

    @Test
    void checklist3_firstEsbTouchFaultsOnceAndMapsTheIpiPagesOfThatIrq() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        int n = 0x1234;
        assertTrue(f.source(n).isOk());
        HostInterruptController.IrqInfo ipi = f.hx().irqInfo(f.dev.ipiOf(n));
        assertEquals(ipi.triggerPage(), f.touch(f.esb, 2L * n));
        assertEquals(ipi.eoiPage(), f.touch(f.esb, 2L * n + 1));
        assertEquals(2, f.host.stats().faults());
        f.touch(f.esb, 2L * n);
        f.touch(f.esb, 2L * n + 1);
        assertEquals(2, f.host.stats().faults(), "later accesses do not fault");
        assertEquals(2, f.esb.pagesMapped());
        // the mapped EOI page is the IPI's management page: a PQ read shows the masked 01
        long gpa = 0x2000_0000_0000L;
        f.host.memslots().set(6, gpa, f.esb.size(), f.esb.start(), 0, "xive.esb-kvm");
        long pq = f.host.access(f.cpus.get(0), gpa + ((2L * n + 1) << 16) + XiveSource.ESB_GET, 8, false, 0);
        assertEquals(1, pq);
    }

    @Test
    void checklist4_esbOfAnIrqWithoutSourceBlockSigbus() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        assertEquals(-1, f.touch(f.esb, 2L * 0x1000));
        assertEquals(1, f.host.stats().sigbus());
    }

    @Test
    void checklist4_esbOfAnUninitialisedIrqInAnExistingBlockSigbus() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        f.source(0x1000);
        Vma v = f.esb;
        assertEquals(-1, f.touch(v, 2L * 0x1001 + 1));
        assertEquals(1, f.host.stats().sigbus());
        assertEquals(0, v.pagesMapped());
    }

    @Test
    void anUnknownDescriptorIsEbadf() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        assertEquals(Errno.EBADF, f.vmm().mmap(99, 0, 1, "x").errno());
        assertNull(f.vmm().mmap(f.fd, 0, 1, "x").errno());
    }
}
