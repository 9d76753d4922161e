package io.pseries.xive.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.host.Errno;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmResult;
import io.pseries.xive.Eas;
import io.pseries.xive.Pq;

/** Checklist items 5-7 of the pass-through facts (§6) and the attribute groups' errnos. */
class XiveNativeAttributesTest {

    private static final long SRC = KvmXiveUapi.GRP_SOURCE;
    private static final long CFG = KvmXiveUapi.GRP_SOURCE_CONFIG;
    private static final long EQ = KvmXiveUapi.GRP_EQ_CONFIG;
    private static final long CTRL = KvmXiveUapi.GRP_CTRL;

    @Test
    void checklist5_sourceAtOrPast2To20IsE2big() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        assertEquals(Errno.E2BIG, f.source(1L << 20).errno());
        assertEquals(Errno.E2BIG, f.source(-1).errno());
        assertEquals(-7, f.source(1L << 20).ret());
        assertTrue(f.source((1L << 20) - 1).isOk());
    }

    @Test
    void checklist5_firstSourceCallAllocatesExactlyOneIpiAndLaterCallsReuseIt() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        f.source(0x1100);
        int ipi = f.dev.ipiOf(0x1100);
        assertNotEquals(0, ipi);
        assertEquals(1, f.hx().allocatedIrqs());
        f.source(0x1100);
        f.set(SRC, 0x1100, KvmXiveUapi.LEVEL_SENSITIVE);
        assertEquals(ipi, f.dev.ipiOf(0x1100));
        assertEquals(1, f.hx().allocatedIrqs());
        assertEquals(1, f.host.stats().ipisAllocated());
        f.source(0x1101);
        assertEquals(2, f.hx().allocatedIrqs());
    }

    @Test
    void checklist5_everySourceCallLeavesTheSourceMaskedAndValid() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        f.queue(0);
        f.source(0x1100);
        int ipi = f.dev.ipiOf(0x1100);
        assertEquals(Pq.OFF, f.hx().source().pq(ipi));
        assertTrue(Eas.masked(f.hx().router().eas(ipi)));
        assertTrue(f.dev.isValid(0x1100));
        // routed and enabled, then re-initialised: masked again
        assertTrue(f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(0, 6, false, 0x1100)).isOk());
        f.hx().source().setPq(ipi, Pq.RESET);
        assertFalse(Eas.masked(f.hx().router().eas(ipi)));
        f.source(0x1100);
        assertEquals(Pq.OFF, f.hx().source().pq(ipi));
        assertTrue(Eas.masked(f.hx().router().eas(ipi)));
        assertTrue(f.dev.isValid(0x1100));
        assertEquals(1, f.dev.validSources());
    }

    @Test
    void checklist6_resetMasksSourcesAndFreesQueuesButKeepsValidIpisAndMappings() {
        KvmXiveFixture f = new KvmXiveFixture(2);
        f.queue(0);
        f.queue(1);
        f.source(0x1100);
        f.source(0x1101);
        f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(0, 6, false, 0x10));
        f.set(CFG, 0x1101, KvmXiveFixture.sourceConfig(1, 6, false, 0x11));
        int ipi = f.dev.ipiOf(0x1100);
        f.hx().source().setPq(ipi, Pq.RESET);
        f.touch(f.esb, 2L * 0x1100);
        f.touch(f.esb, 2L * 0x1101 + 1);
        long zaps = f.host.stats().zaps();

        assertEquals(0, f.set(CTRL, KvmXiveUapi.CTRL_RESET).ret());

        assertTrue(Eas.masked(f.hx().router().eas(ipi)));
        assertEquals(Pq.OFF, f.hx().source().pq(ipi));
        assertTrue(Eas.masked(f.hx().router().eas(f.dev.ipiOf(0x1101))));
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), boxed(f.get(EQ, 6).data()), "queues freed");
        assertTrue(f.dev.isValid(0x1100) && f.dev.isValid(0x1101));
        assertEquals(ipi, f.dev.ipiOf(0x1100));
        assertEquals(2, f.hx().allocatedIrqs());
        assertEquals(zaps, f.host.stats().zaps(), "no zap");
        assertEquals(2, f.esb.pagesMapped(), "mappings kept");
    }

    @Test
    void checklist7_eqSyncSyncsOnlyUnmaskedSourcesMarksQueuePagesDirtyAndNeverFails() {
        KvmXiveFixture f = new KvmXiveFixture(2);
        f.queue(0);
        f.queue(1);
        for (int i = 0; i < 3; i++) {
            f.source(0x1100 + i);
        }
        f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(0, 6, false, 1));
        f.set(CFG, 0x1101, KvmXiveFixture.sourceConfig(1, 6, false, 2));
        long before = f.hx().sourceSyncs();
        assertEquals(0, f.set(CTRL, KvmXiveUapi.CTRL_EQ_SYNC).ret());
        assertEquals(2, f.hx().sourceSyncs() - before, "the masked third source is skipped");
        assertEquals(List.of(KvmXiveFixture.qpage(0), KvmXiveFixture.qpage(1)), f.host.vm().dirtyPages());
        // with nothing configured at all it still answers 0
        KvmXiveFixture g = new KvmXiveFixture(1);
        assertEquals(0, g.set(CTRL, KvmXiveUapi.CTRL_EQ_SYNC).ret());
        assertTrue(g.host.vm().dirtyPages().isEmpty());
    }

    @Test
    void aTriggerThroughTheMappingQueuesTheEisnInGuestRamAndSignalsTheVcpu() {
        KvmXiveFixture f = new KvmXiveFixture(2);
        f.queue(1);
        f.source(0x1100);
        f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(1, 6, false, 0x42));
        long gpa = 0x2000_0000_0000L;
        f.host.memslots().set(6, gpa, f.esb.size(), f.esb.start(), 0, "xive.esb-kvm");
        // the guest opens its CPPR (the kernel starts the VP at CPPR 0), as Linux does at CPU setup
        f.hx().threadContext(1).setCppr(io.pseries.xive.ThreadContext.QW1_OS, 0xff);
        // unmask the source through its EOI page (SET_PQ_00), then trigger through the trigger page
        f.host.access(f.cpus.get(0), gpa + ((2L * 0x1100 + 1) << 16) + 0xC00, 8, false, 0);
        f.host.access(f.cpus.get(0), gpa + ((2L * 0x1100) << 16), 8, true, 0);
        int entry = f.memory.read32(KvmXiveFixture.qpage(1));
        assertEquals(0x8000_0042, entry, "generation 1, EISN 0x42");
        assertTrue(f.cpus.get(1).osInterrupt());
        assertFalse(f.cpus.get(0).osInterrupt());
        KvmResult eq = f.get(EQ, (1 << 3) | 6);
        assertEquals(1, eq.value(4), "queue index advanced");
    }

    @Test
    void unknownGroupsAndAttributesAreEnxio() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        assertEquals(Errno.ENXIO, f.set(9, 0, 0).errno());
        assertEquals(Errno.ENXIO, f.set(CTRL, 7).errno());
        assertEquals(Errno.ENXIO, f.get(SRC, 0).errno());
        assertEquals(Errno.ENXIO, f.host.vm().hasAttr(f.fd, 0, 0).errno());
        assertEquals(Errno.ENXIO, f.host.vm().hasAttr(f.fd, SRC, 1L << 20).errno());
        assertTrue(f.host.vm().hasAttr(f.fd, CTRL, KvmXiveUapi.CTRL_NR_SERVERS).isOk());
        assertEquals(Errno.EBADF, f.host.vm().setAttr(42, CTRL, KvmXiveUapi.CTRL_RESET).errno());
    }

    @Test
    void missingUserDataIsEfault() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        assertEquals(Errno.EFAULT, f.host.vm().setAttr(f.fd, SRC, 0x1100).errno());
        f.source(0x1100);
        assertEquals(Errno.EFAULT, f.host.vm().setAttr(f.fd, CFG, 0x1100).errno());
        assertEquals(Errno.EFAULT, f.set(EQ, 6, 1, 16, KvmXiveFixture.QPAGE).errno(), "short kvm_ppc_xive_eq");
    }

    @Test
    void sourceConfigChecksBlockThenValidityThenPriority() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        f.queue(0);
        assertEquals(Errno.ENOENT, f.set(CFG, 0x1100, 0).errno());
        f.source(0x1000);
        assertEquals(Errno.EINVAL, f.set(CFG, 0x1100, 0).errno(), "slot of an existing block, not set up");
        f.source(0x1100);
        assertEquals(Errno.EINVAL, f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(0, 7, false, 0)).errno());
        assertEquals(Errno.EINVAL, f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(5, 6, false, 0)).errno(),
            "unknown server");
        assertTrue(f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(0, 6, false, 0)).isOk());
        assertEquals(Errno.ENOENT, f.set(KvmXiveUapi.GRP_SOURCE_SYNC, 0x5000).errno());
        assertEquals(Errno.EINVAL, f.set(KvmXiveUapi.GRP_SOURCE_SYNC, 0x1001).errno());
    }

    @Test
    void sourceConfigWithoutAnyQueueAtThatPriorityIsEbusy() {
        KvmXiveFixture f = new KvmXiveFixture(2);
        f.source(0x1100);
        assertEquals(Errno.EBUSY, f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(0, 6, false, 0)).errno());
        // with a queue on vCPU 1 only, a source aimed at vCPU 0 lands on vCPU 1 (select_target)
        f.queue(1);
        assertTrue(f.set(CFG, 0x1100, KvmXiveFixture.sourceConfig(0, 6, false, 0)).isOk());
        int ipi = f.dev.ipiOf(0x1100);
        assertEquals(HostXive.endOf(f.dev.vpOf(1), 6), Eas.endIndex(f.hx().router().eas(ipi)));
    }

    @Test
    void eqConfigSetRejectsWhatTheKernelRejects() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        long q = KvmXiveFixture.QPAGE;
        assertEquals(Errno.ENOENT, f.set(EQ, (3 << 3) | 6, 1, 16, q, 1, 0).errno(), "unknown server");
        assertEquals(Errno.EINVAL, f.set(EQ, 7, 1, 16, q, 1, 0).errno(), "priority 7");
        assertEquals(Errno.EINVAL, f.set(EQ, 6, 0, 16, q, 1, 0).errno(), "flags without ALWAYS_NOTIFY");
        assertEquals(Errno.EINVAL, f.set(EQ, 6, 1, 12, q, 1, 0).errno(), "4K queue");
        assertEquals(Errno.EINVAL, f.set(EQ, 6, 1, 16, q + 0x1000, 1, 0).errno(), "misaligned");
        assertEquals(Errno.EINVAL, f.set(EQ, 6, 1, 16, 1L << 40, 1, 0).errno(), "not guest RAM");
        assertTrue(f.set(EQ, 6, 1, 16, q, 1, 0).isOk());
        assertEquals(List.of(1L, 16L, q, 1L, 0L), boxed(f.get(EQ, 6).data()));
        assertTrue(f.set(EQ, 6, 1, 16, q, 0, 5).isOk(), "a restore with a position");
        assertEquals(List.of(1L, 16L, q, 0L, 5L), boxed(f.get(EQ, 6).data()));
        assertTrue(f.set(EQ, 6, 0, 0, 0, 0, 0).isOk(), "qshift 0 resets");
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), boxed(f.get(EQ, 6).data()));
    }

    @Test
    void a64kQueueOnA4kPageHostIsEinval() {
        KvmXiveFixture f = new KvmXiveFixture(1, HostConfig.fromMap(java.util.Map.of("pageSize", "4K")), false);
        f.host.vm().enableCap(f.fd, f.cpus.get(0), 0);
        assertEquals(Errno.EINVAL, f.queue(0).errno());
    }

    @Test
    void nrServersIsCheckedAndFrozenOnceAVcpuIsConnected() {
        KvmXiveFixture f = new KvmXiveFixture(2, HostConfig.POWER9, false);
        assertEquals(Errno.EINVAL, f.set(CTRL, KvmXiveUapi.CTRL_NR_SERVERS, 0).errno());
        assertEquals(Errno.EINVAL, f.set(CTRL, KvmXiveUapi.CTRL_NR_SERVERS, KvmXiveUapi.KVM_MAX_VCPU_IDS + 1).errno());
        assertEquals(Errno.EFAULT, f.host.vm().setAttr(f.fd, CTRL, KvmXiveUapi.CTRL_NR_SERVERS).errno());
        assertTrue(f.set(CTRL, KvmXiveUapi.CTRL_NR_SERVERS, 1).isOk());
        assertEquals(Errno.EINVAL, f.host.vm().enableCap(f.fd, f.cpus.get(1), 1).errno(), "server 1 >= nr_servers");
        assertTrue(f.host.vm().enableCap(f.fd, f.cpus.get(0), 0).isOk());
        assertEquals(Errno.EBUSY, f.host.vm().enableCap(f.fd, f.cpus.get(0), 0).errno(), "already connected");
        assertEquals(Errno.EBUSY, f.set(CTRL, KvmXiveUapi.CTRL_NR_SERVERS, 2).errno());
    }

    @Test
    void vpStateReadsAndRestoresTheOsRingWords() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        KvmResult r = f.host.vm().getOneReg(f.fd, f.cpus.get(0), KvmXiveUapi.REG_VP_STATE);
        assertEquals(0x0000_0000_ff00_00ffL, r.value(0), "the kernel's initial w01, PIPR following the empty IPB");
        // CPPR 5, IPB 0x40 (priority 1), ACK# 0, PIPR 1: pushed as the vCPU re-enters, priority 1
        // beats CPPR 5 so the thread is signalled (NSR 0x80); the next pull saves ACK# 0xFF again
        assertTrue(f.host.vm().setOneReg(f.fd, f.cpus.get(0), KvmXiveUapi.REG_VP_STATE, 0x0005_4000_0000_0001L).isOk());
        assertEquals(0x8005_4000_ff00_0001L,
            f.host.vm().getOneReg(f.fd, f.cpus.get(0), KvmXiveUapi.REG_VP_STATE).value(0));
        assertEquals(Errno.EINVAL, f.host.vm().getOneReg(f.fd, f.cpus.get(0), 0x1234).errno());
    }

    @Test
    void aVmHoldsOneInterruptDeviceAndATypeTheHostLacksIsEnodev() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        assertEquals(Errno.EEXIST, f.host.vm().createDevice(KvmDeviceType.XIVE).errno());
        KvmXiveFixture g = new KvmXiveFixture(1, HostConfig.fromMap(java.util.Map.of("xive", false)), false);
        assertEquals(-19, g.fd, "no device: -ENODEV");
        assertEquals(Errno.ENODEV, g.host.vm().createDevice(KvmDeviceType.XIVE).errno());
    }

    @Test
    void releaseFreesEveryIpiAndTheVpBlockOnlyOnceTheLastMappingGoes() {
        KvmXiveFixture f = new KvmXiveFixture(1);
        f.source(0x1100);
        f.source(0x1200);
        assertTrue(f.vmm().close(f.fd).isOk());
        assertEquals(0, f.host.stats().deviceDestructions(), "the VMAs still hold the file");
        f.vmm().munmap(f.esb);
        f.vmm().munmap(f.tima);
        assertEquals(1, f.host.stats().deviceDestructions());
        assertEquals(0, f.hx().allocatedIrqs());
        assertEquals(0, f.host.stats().ipisAllocated());
        assertEquals(2, f.host.stats().ipisAllocatedTotal());
        assertTrue(f.host.vm().createDevice(KvmDeviceType.XIVE).isOk(), "the slot is free again");
    }

    private static List<Long> boxed(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
