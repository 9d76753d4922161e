package io.pseries.testscripts.passthrough;

import static io.pseries.testscripts.passthrough.PassthroughFixture.NIC;
import static io.pseries.testscripts.passthrough.PassthroughFixture.NIC2;
import static io.pseries.testscripts.passthrough.PassthroughFixture.booted;
import static io.pseries.testscripts.passthrough.PassthroughFixture.host;
import static io.pseries.testscripts.passthrough.PassthroughFixture.taken;
import static io.pseries.testscripts.passthrough.PassthroughFixture.vfio;
import static io.pseries.testscripts.passthrough.PassthroughFixture.vm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.snapshot.HostGroupSnapshot;
import io.pseries.core.snapshot.SnapshotException;

/**
 * A host-group checkpoint ({@link HostGroupSnapshot}): a host several VMs share and every machine
 * on it, restored into a fresh host with fresh machines, one named test per rule of what the
 * fresh group must hold so that nothing after the checkpoint can tell.
 */
class HostGroupCheckpointTest {
    private record Group(PhysicalHost host, List<Machine> machines) {
    }

    private static Group checkpoint(PhysicalHost h, List<Machine> ms) {
        HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, ms);
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h, s,
            ms.stream().map(Machine::config).toList());
        return new Group(r.host(), r.machines());
    }

    /** A booted pass-through VM (NIC, in-kernel XIVE) and a second VM without functions. */
    private static Group twoVms() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        Machine b = vm(h, "xive", "on", null);
        b.boot(GuestOs.BootOptions.defaults());
        b.runUntilIdle();
        return new Group(h, List.of(a, b));
    }

    @Test
    void theRestoredHostHoldsEachIommuGroupByTheSameVmm_andLeavesTheOthersFree() {
        Group g = twoVms();
        Group r = checkpoint(g.host(), g.machines());
        HostPciFunction nic = r.host().function(NIC);
        assertEquals("qemu-vm0", nic.owner().processName());
        assertEquals("qemu-vm0", nic.group().openedBy());
        assertNull(r.host().function(NIC2).owner());
        assertNull(r.host().function(NIC2).group().openedBy());
        assertEquals(List.of("qemu-vm0", "qemu-vm1"), r.machines().stream().map(m -> m.host().process().name()).toList());
    }

    @Test
    void thePassThroughVmsMsixStateAndLinksAreArmedAgain_soTheNicsInterruptsReachTheGuestAsBefore() {
        Group g = twoVms();
        Group r = checkpoint(g.host(), g.machines());
        VfioPciDevice was = vfio(g.machines().get(0));
        VfioPciDevice now = vfio(r.machines().get(0));
        assertEquals(was.msixCapability().info(), now.msixCapability().info());
        int[] links = linkedHostIrqs(g.machines().get(0));
        assertTrue(java.util.Arrays.stream(links).filter(l -> l != 0).count() == 3, java.util.Arrays.toString(links));
        assertArrayEquals(links, linkedHostIrqs(r.machines().get(0)));
        for (Group x : List.of(g, r)) {
            Machine m = x.machines().get(0);
            VfioPciDevice d = vfio(m);
            long before = taken(m, d.msiFirst() + 2);
            x.host().function(NIC).fire(2);
            m.runUntilIdle();
            assertEquals(before + 1, taken(m, d.msiFirst() + 2), "vector 2 reaches the guest");
        }
    }

    private static int[] linkedHostIrqs(Machine m) {
        VfioPciDevice d = vfio(m);
        int[] out = new int[d.msiCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = m.host().vm().passthrough().linked(d.msiFirst() + k);
        }
        return out;
    }

    @Test
    void theVmCountContinues_aMachineMadeAfterTheCheckpointGetsTheSameOwnerNameAsStraight() {
        Group g = twoVms();
        Group r = checkpoint(g.host(), g.machines());
        Machine straight = vm(g.host(), "xive", "on", NIC2);
        Machine after = vm(r.host(), "xive", "on", NIC2);
        assertEquals("qemu-vm2", straight.host().process().name());
        assertEquals(straight.host().process().name(), after.host().process().name());
        assertEquals(g.host().function(NIC2).owner().processName(), r.host().function(NIC2).owner().processName());
    }

    @Test
    void eventfdNumberingContinuesFromTheSourceHosts() {
        Group g = twoVms();
        long next = g.host().peekNextEventFdId();
        Group r = checkpoint(g.host(), g.machines());
        assertEquals(next, r.host().peekNextEventFdId(), "the restore's own eventfds do not shift the numbering");
        assertEquals(g.machines().get(1).host().process().eventFd(g.machines().get(1).host().process().eventfd()).id(),
            r.machines().get(1).host().process().eventFd(r.machines().get(1).host().process().eventfd()).id());
    }

    /**
     * A restore arms the vectors with eventfds of its own numbering; the restored VMM's files are
     * numbered as the source's (m.host.links() and m.host.vfio() show them to scripts), and the
     * next descriptor it opens is past every one in use.
     */
    @Test
    void theRestoredVmmNumbersItsVfioDescriptorsAsTheSourcesDid() {
        Group g = twoVms();
        Group r = checkpoint(g.host(), g.machines());
        Machine was = g.machines().get(0);
        Machine now = r.machines().get(0);
        assertArrayEquals(vfio(was).descriptors(), vfio(now).descriptors());
        assertArrayEquals(vfio(was).vectorEventFds(), vfio(now).vectorEventFds());
        for (int fd : vfio(now).descriptors()) {
            if (fd >= 0) {
                assertEquals(was.host().process().file(fd).getClass(), now.host().process().file(fd) == null
                    ? null : now.host().process().file(fd).getClass(), "descriptor " + fd);
            }
        }
        int next = now.host().process().eventfd();
        assertTrue(next >= was.host().process().nextFd(), "a new descriptor takes no number the source's files hold: " + next);
    }

    /** A function without MSI-X (an OpenCAPI AFU's, or INTx only) has no vectors: its VMM device is checkpointed too. */
    @Test
    void aFunctionWithoutMsixIsCheckpointedToo() {
        PhysicalHost h = PhysicalHost.of(HostConfig.POWER9, List.of(Map.of("addr", NIC, "msix", 0, "intx", true)));
        Machine a = booted(h, "xive", "on", NIC);
        Group r = checkpoint(h, List.of(a));
        assertEquals("qemu-vm0", r.host().function(NIC).owner().processName());
        assertArrayEquals(vfio(a).descriptors(), vfio(r.machines().get(0)).descriptors());
    }

    @Test
    void theFunctionsCountsAndIntxLevel_andTheIrqBypassParameter_areTheHosts() {
        Group g = twoVms();
        g.host().function(NIC2).fire(1);
        g.host().function(NIC2).assertIntx(true);
        g.host().setIrqBypass(false);
        Group r = checkpoint(g.host(), g.machines());
        for (String addr : List.of(NIC, NIC2)) {
            assertEquals(g.host().function(addr).fired(), r.host().function(addr).fired(), addr);
            assertEquals(g.host().function(addr).dropped(), r.host().function(addr).dropped(), addr);
            assertEquals(g.host().function(addr).intxLevel(), r.host().function(addr).intxLevel(), addr);
        }
        assertEquals(1, r.host().function(NIC2).dropped());
        assertTrue(r.host().function(NIC2).intxLevel());
        assertEquals(false, r.host().irqBypass());
    }

    /**
     * QEMU 7.2's re-arming leaves the vectors linked first carrying the guest interrupt number as
     * their data (not the guest's EISN) until the guest moves them: the restored host XIVE's
     * device sources route exactly as the source's, so vector 0 is still not taken as before.
     */
    @Test
    void theHostXivesDeviceSourcesRouteAsTheSourcesDid_evenWhereKvmLeftStaleData() {
        PhysicalHost h = host();
        Machine a = vm(h, "xive", "on", NIC);
        a.boot(GuestOs.BootOptions.defaults());
        a.runUntilIdle();
        Group r = checkpoint(h, List.of(a));
        HostPciFunction f = h.function(NIC);
        for (int v = 0; v < f.msixVectors(); v++) {
            assertEquals(a.host().vm().hostIntc().deviceSourceRouting(f.hwIrq(v)),
                r.machines().get(0).host().vm().hostIntc().deviceSourceRouting(f.hwIrq(v)), "vector " + v);
        }
        for (Group x : List.of(new Group(h, List.of(a)), r)) {
            Machine m = x.machines().get(0);
            long before = taken(m, vfio(m).msiFirst());
            x.host().function(NIC).fire(0);
            m.runUntilIdle();
            assertEquals(before, taken(m, vfio(m).msiFirst()), "vector 0 carries stale data on both");
        }
    }

    @Test
    void aStreamOfAnotherHostIsRefused_namingTheFunction() {
        Group g = twoVms();
        HostGroupSnapshot.Saved s = HostGroupSnapshot.save(g.host(), g.machines());
        PhysicalHost other = PhysicalHost.of(HostConfig.POWER9, List.of(Map.of("addr", NIC, "msix", 4, "intx", true),
            Map.of("addr", NIC2, "msix", 8, "intx", true)));
        SnapshotException e = assertThrows(SnapshotException.class, () -> HostGroupSnapshot.restoreAsCheckpoint(other, s,
            g.machines().stream().map(Machine::config).toList()));
        assertTrue(e.getMessage().contains("host/physical") && e.getMessage().contains(NIC)
            && e.getMessage().contains("a stream of another host"), e.getMessage());
    }

    @Test
    void aHostGroupMissingAVmIsRefusedAtSave() {
        Group g = twoVms();
        SnapshotException e = assertThrows(SnapshotException.class,
            () -> HostGroupSnapshot.save(g.host(), List.of(g.machines().get(0))));
        assertTrue(e.getMessage().contains("2 VMs joined the host, 1 machines given"), e.getMessage());
    }

    @Test
    void aFunctionAScriptOpenedItselfIsHeldAgainByTheSameVmm_underTheSameDescriptors() {
        Group g = twoVms();
        Machine b = g.machines().get(1);
        int groupFd = b.host().vfio().openGroup(g.host().function(NIC2).group().number()).ret();
        int deviceFd = b.host().vfio().getDeviceFd(groupFd, NIC2).ret();
        b.host().process().openedByScript(groupFd);
        b.host().process().openedByScript(deviceFd);
        Group r = checkpoint(g.host(), g.machines());
        assertEquals("qemu-vm1", r.host().function(NIC2).owner().processName());
        Machine now = r.machines().get(1);
        assertEquals(NIC2, now.host().vfio().device(deviceFd).function().addr());
        assertEquals(g.host().function(NIC2).group(), g.host().group(g.host().function(NIC2).group().number()));
        assertTrue(now.host().process().file(groupFd) instanceof io.pseries.core.host.pt.IommuGroup, "the group file");
    }

    /**
     * A host-group checkpoint refused after its machines stopped and ran again for their streams
     * (the script-side driver then calls MachineSnapshot.zapBackTo): the run handler's ESB loads
     * faulted pages in, and those are zapped back, so a later zap removes what it removes straight.
     */
    @Test
    void aRefusedGroupCheckpointZapsTheMappingsBackToThePagesTheyHeld() {
        Group g = twoVms();
        Machine a = g.machines().get(0);
        Map<io.pseries.core.host.Vma, long[]> before = io.pseries.core.snapshot.MachineSnapshot.devicePages(a);
        HostGroupSnapshot.save(g.host(), g.machines());
        Map<io.pseries.core.host.Vma, long[]> after = io.pseries.core.snapshot.MachineSnapshot.devicePages(a);
        assertTrue(before.keySet().stream().anyMatch(v -> !java.util.Arrays.equals(before.get(v), after.get(v))),
            "the streams' stop and run faulted pages in");
        assertTrue(io.pseries.core.snapshot.MachineSnapshot.zapBackTo(a, before) > 0);
        Map<io.pseries.core.host.Vma, long[]> back = io.pseries.core.snapshot.MachineSnapshot.devicePages(a);
        for (io.pseries.core.host.Vma v : before.keySet()) {
            assertArrayEquals(before.get(v), back.get(v), v.name());
        }
    }
}
