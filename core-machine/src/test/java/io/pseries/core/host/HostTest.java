package io.pseries.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/** The simulated host's kernel and VMM rules that do not depend on any device: VMAs, zaps, memory slots, limits. */
class HostTest {

    /** A device whose file maps anywhere below page 100 and whose odd pages SIGBUS. */
    static final class FakeDevice implements KvmDevice {
        boolean released;

        @Override
        public int type() {
            return 77;
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String groupName(long group) {
            return group == 1 ? "ONE" : null;
        }

        @Override
        public KvmResult setAttr(long group, long attr, long[] data) {
            return group == 1 ? KvmResult.ok() : KvmResult.error(Errno.ENXIO);
        }

        @Override
        public KvmResult getAttr(long group, long attr) {
            return KvmResult.ok(attr * 2);
        }

        @Override
        public KvmResult hasAttr(long group, long attr) {
            return KvmResult.ok();
        }

        @Override
        public Errno mmap(long pgoff, long npages) {
            return pgoff + npages <= 100 ? null : Errno.EINVAL;
        }

        @Override
        public FaultResult fault(long vmaPgoff, long pgoff) {
            return (pgoff & 1) != 0 ? FaultResult.sigbus() : FaultResult.mapped(0x1000_0000L + (pgoff << 16));
        }

        @Override
        public KvmResult connectVcpu(VCpu cpu, int server) {
            return KvmResult.ok();
        }

        @Override
        public KvmResult getOneReg(VCpu cpu, long id) {
            return KvmResult.error(Errno.EINVAL);
        }

        @Override
        public KvmResult setOneReg(VCpu cpu, long id, long[] value) {
            return KvmResult.error(Errno.EINVAL);
        }

        @Override
        public void release() {
            released = true;
        }
    }

    static final class FakeProvider implements KvmDeviceProvider {
        final List<FakeDevice> made = new ArrayList<>();

        @Override
        public int type() {
            return 77;
        }

        @Override
        public boolean offeredBy(HostConfig host) {
            return true;
        }

        @Override
        public KvmDevice create(KvmVm vm) {
            FakeDevice d = new FakeDevice();
            made.add(d);
            return d;
        }
    }

    private final FakeProvider provider = new FakeProvider();
    private final Trace trace = new Trace(() -> 0L);

    private Host host(HostConfig cfg) {
        return new Host(cfg, List.of(new VCpu(0, 0)), new GuestMemory(64L << 20), trace, List.of(provider));
    }

    @Test
    void eventfdsAreNumberedPerHost_soTwoRunsOfAScriptNumberThemAlike() {
        Host a = host(HostConfig.POWER9);
        long first = a.process().eventFd(a.process().eventfd()).id();
        long second = a.process().eventFd(a.process().eventfd()).id();
        assertEquals(first + 1, second, "host-wide and never reused");
        // a second host (the second run of a script in the same JVM) starts where the first did
        Host b = host(HostConfig.POWER9);
        assertEquals(first, b.process().eventFd(b.process().eventfd()).id());
        // two VMs of one host share its numbering
        io.pseries.core.host.pt.PhysicalHost ph = new io.pseries.core.host.pt.PhysicalHost(HostConfig.POWER9);
        Host v0 = new Host(ph, List.of(new VCpu(0, 0)), new GuestMemory(64L << 20), trace);
        Host v1 = new Host(ph, List.of(new VCpu(0, 0)), new GuestMemory(64L << 20), trace);
        long x = v0.process().eventFd(v0.process().eventfd()).id();
        assertEquals(x + 1, v1.process().eventFd(v1.process().eventfd()).id());
    }

    @Test
    void defaultsAreAPower9HostWithLinux61Limits() {
        HostConfig c = HostConfig.fromMap(Map.of());
        assertTrue(c.xive() && c.xicsOnXive());
        assertEquals("64K", c.pageSizeName());
        assertEquals(32767, c.userMemSlots());
        assertEquals(65530, c.maxMapCount());
    }

    @Test
    void badHostOptionsNameTheOptionAndWhatIsValid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> HostConfig.fromMap(Map.of("pageSize", "16K")));
        assertEquals("invalid machine option host.pageSize: '16K'; expected '64K' or '4K'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HostConfig.fromMap(Map.of("xiv", true)));
        assertTrue(e.getMessage().startsWith("unknown host option 'xiv' (did you mean 'xive'?)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HostConfig.fromMap(Map.of("xive", "yes")));
        assertEquals("invalid machine option host.xive: yes; expected true or false", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HostConfig.fromMap(Map.of("memSlots", 0)));
        assertTrue(e.getMessage().startsWith("invalid machine option host.memSlots: 0"), e.getMessage());
    }

    @Test
    void guestRamIsOneVmaAndMemorySlotZero() {
        Host h = host(HostConfig.POWER9);
        assertEquals(1, h.vmas().size());
        assertEquals("guest RAM", h.vmas().get(0).name());
        assertEquals(List.of(new MemSlot(0, 0, 64L << 20, h.vmas().get(0).start(), 0, "ppc_spapr.ram")), h.memslots().list());
        assertEquals(1, h.stats().memslots());
    }

    @Test
    void aTypeTheHostDoesNotRegisterIsEnodevAndASecondDeviceOfTheSlotIsEexist() {
        Host h = host(HostConfig.POWER9);
        assertEquals(Errno.ENODEV, h.vm().createDevice(KvmDeviceType.XIVE).errno());
        KvmResult r = h.vm().createDevice(77);
        assertTrue(r.ret() >= 0);
        assertEquals(Errno.EEXIST, h.vm().createDevice(77).errno());
        assertEquals(1, h.stats().deviceCreations());
        assertEquals(r.ret(), h.fd(77));
        assertEquals(-1, h.fd(KvmDeviceType.XIVE));
    }

    @Test
    void theMapCountFollowsDoMmapAndRefusesPastMaxMapCountWithEnomem() {
        HostConfig c = new HostConfig(true, true, 16, 32767, 3, ExitCosts.DEFAULTS);
        Host h = host(c);
        int fd = h.vm().createDevice(77).ret();
        // guest RAM is mapping 1; do_mmap refuses once the count is already above the limit
        assertTrue(h.process().mmap(fd, 0, 1, "a").isOk());
        assertTrue(h.process().mmap(fd, 2, 1, "b").isOk());
        assertTrue(h.process().mmap(fd, 4, 1, "c").isOk());
        assertEquals(Errno.ENOMEM, h.process().mmap(fd, 6, 1, "d").errno());
        assertEquals(4, h.stats().vmas());
    }

    @Test
    void aZapRemovesTheFileRangeFromEveryVmaOfThatFileOnly() {
        Host h = host(HostConfig.POWER9);
        int fd = h.vm().createDevice(77).ret();
        Vma a = h.process().mmap(fd, 0, 20, "a").vma();
        Vma b = h.process().mmap(fd, 10, 20, "b").vma();
        for (long i = 0; i < 20; i += 2) {
            h.process().touch(a, i, 0);
        }
        for (long i = 0; i < 20; i += 2) {
            h.process().touch(b, i, 0);
        }
        assertEquals(10, a.pagesMapped());
        long removed = h.process().zap(a.file(), 12, 4);
        // file pages 12 and 14 in both VMAs
        assertEquals(4, removed);
        assertEquals(8, a.pagesMapped());
        assertEquals(8, b.pagesMapped());
        assertTrue(!a.present(12) && !b.present(2) && b.present(0));
        assertEquals(1, h.stats().zaps());
        assertEquals(16, h.stats().pagesMapped());
        long faults = h.stats().faults();
        h.process().touch(a, 12, 0);
        assertEquals(faults + 1, h.stats().faults(), "a zapped page faults again");
    }

    @Test
    void theFaultHandlerRunsOnceAPageAndSigbusIsCountedAndTraced() {
        Host h = host(HostConfig.POWER9);
        List<TraceEvent> ev = new ArrayList<>();
        trace.subscribe(TraceCategory.FAULT, ev::add);
        int fd = h.vm().createDevice(77).ret();
        Vma v = h.process().mmap(fd, 0, 4, "w").vma();
        assertEquals(0x1000_0000L, h.process().touch(v, 0, 0));
        assertEquals(0x1000_0000L, h.process().touch(v, 0, 0));
        assertEquals(-1, h.process().touch(v, 1, 0));
        assertEquals(2, h.stats().faults());
        assertEquals(1, h.stats().sigbus());
        assertEquals(List.of("fault", "sigbus"), ev.stream().map(TraceEvent::name).toList());
    }

    @Test
    void theDeviceIsReleasedWhenTheLastFdAndMappingGo() {
        Host h = host(HostConfig.POWER9);
        int fd = h.vm().createDevice(77).ret();
        Vma v = h.process().mmap(fd, 0, 4, "w").vma();
        h.process().close(fd);
        assertTrue(!provider.made.get(0).released);
        h.process().munmap(v);
        assertTrue(provider.made.get(0).released);
        assertEquals(1, h.stats().deviceDestructions());
        assertEquals(Errno.EBADF, h.process().close(fd).errno());
        assertNull(h.process().device(fd));
    }

    @Test
    void memorySlotsPastTheLimitAreEinvalOverlapsEexistAndSizeZeroDeletes() {
        Host h = host(new HostConfig(true, true, 16, 3, 65530, ExitCosts.DEFAULTS));
        MemSlots s = h.memslots();
        long hva = 0x7f00_0000_0000L;
        assertTrue(s.set(1, 1L << 40, 1 << 16, hva, 0, "a").isOk());
        assertTrue(s.set(2, (1L << 40) + (1 << 16), 1 << 16, hva, 0, "b").isOk());
        assertEquals(Errno.EINVAL, s.set(3, 1L << 41, 1 << 16, hva, 0, "c").errno(), "slot 3 with KVM_USER_MEM_SLOTS 3");
        assertEquals(-1, s.freeSlot());
        assertEquals(Errno.EEXIST, s.set(2, (1L << 40) + 0x8000 * 2 - (1 << 16), 1 << 16, hva, 0, "b").errno());
        assertEquals(Errno.EINVAL, s.set(2, (1L << 40) + 0x1000, 1 << 16, hva, 0, "b").errno(), "unaligned");
        assertTrue(s.set(2, 0, 0, 0, 0, "b").isOk());
        assertEquals(2, s.freeSlot());
        assertEquals(2, h.stats().memslots());
        assertEquals("a", s.find((1L << 40) + 5).name());
        assertNull(s.find((1L << 40) + (1 << 16)));
    }

    @Test
    void eachExitIsCountedByKindAndPathAndChargedItsCost() {
        Host h = host(HostConfig.POWER9);
        assertEquals(5000, h.charge(ExitKind.HCALL, AccessPath.VMM_EXIT));
        assertEquals(1900, h.charge(ExitKind.HCALL, AccessPath.KERNEL));
        assertEquals(5000, h.charge(ExitKind.MMIO, AccessPath.VMM_EXIT));
        assertEquals(0, h.charge(ExitKind.MMIO, AccessPath.DIRECT));
        assertEquals(1, h.stats().vmmExits(ExitKind.HCALL));
        assertEquals(1, h.stats().kernelExits(ExitKind.HCALL));
        assertEquals(1, h.stats().vmmExits(ExitKind.MMIO));
        assertEquals(1, h.stats().directAccesses());
        assertEquals(11900, h.stats().exitNs());
    }

    @Test
    void attributeCallsAreCountedPerGroupAndTracedAsKvmEvents() {
        Host h = host(HostConfig.POWER9);
        List<TraceEvent> ev = new ArrayList<>();
        trace.subscribe(TraceCategory.KVM, ev::add);
        int fd = h.vm().createDevice(77).ret();
        h.vm().setAttr(fd, 1, 5, 0);
        h.vm().setAttr(fd, 1, 6, 0);
        assertEquals(Errno.ENXIO, h.vm().setAttr(fd, 2, 0).errno());
        assertEquals(10, h.vm().getAttr(fd, 1, 5).value(0));
        assertEquals(Map.of("ONE", 3L, "group 2", 1L), h.devices().get(0).attributes());
        assertEquals(List.of("create_device", "set_attr", "set_attr", "set_attr", "get_attr"),
            ev.stream().map(TraceEvent::name).toList());
        assertEquals("ENXIO", ev.get(3).fields().get("errno"));
    }
}
