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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.VmmProcess;
import io.pseries.core.host.pt.EventFd;
import io.pseries.core.host.pt.Irqfd;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.host.pt.VfioDevice;
import io.pseries.core.snapshot.HostGroupSnapshot;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;

/**
 * A host-group checkpoint makes each restored VMM's file table the source's (host/vm/N version 2):
 * what a script opened or wired itself, the vectors a guest masked after use, the KVM devices'
 * numbers. One named test per rule.
 */
class HostGroupVmmFilesTest {
    private record Group(PhysicalHost host, List<Machine> machines) {
    }

    private static Group checkpoint(PhysicalHost h, List<Machine> ms) {
        HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, ms);
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h, s, ms.stream().map(Machine::config).toList());
        return new Group(r.host(), r.machines());
    }

    /** A VMM's table as a script sees it: descriptor, kind and (eventfds) host number and unread count. */
    private static List<String> table(Machine m) {
        VmmProcess p = m.host().process();
        List<String> l = new ArrayList<>();
        for (int fd = 0; fd < p.nextFd(); fd++) {
            Object f = p.file(fd);
            if (f instanceof EventFd e) {
                l.add(fd + " eventfd#" + e.id() + " pending " + e.pending());
            } else if (f instanceof VfioDevice d) {
                StringBuilder b = new StringBuilder(fd + " vfio-device " + d.function().addr() + " signals");
                for (int v = 0; v < d.function().msixVectors(); v++) {
                    b.append(' ').append(d.trigger(v) == null ? -1 : p.fdOf(d.trigger(v)));
                }
                l.add(b + " intx " + (d.intxTrigger() == null ? -1 : p.fdOf(d.intxTrigger())));
            } else if (f != null) {
                l.add(fd + " " + f.getClass().getSimpleName());
            }
        }
        for (Map.Entry<Integer, KvmDevice> e : p.fds().entrySet()) {
            l.add(e.getKey() + " kvm-device " + e.getValue().type());
        }
        l.add("next " + p.nextFd());
        return l;
    }

    /** m.host.eventfd(): an eventfd the script opened in the VMM. */
    private static int scriptEventfd(Machine m) {
        int fd = m.host().process().eventfd();
        m.host().process().openedByScript(fd);
        return fd;
    }

    /** The VM's irqfds as m.host.links() lists them: eventfd, guest interrupt, linked host interrupt, failure. */
    private static List<String> links(Machine m) {
        List<String> l = new ArrayList<>();
        for (Irqfd i : m.host().vm().irqfds().list()) {
            l.add(m.host().process().fdOf(i.token()) + "->" + i.gsi() + " linked " + m.host().vm().passthrough().linked((int) i.gsi())
                + " producer " + (i.producer() != null) + " failure " + i.failure());
        }
        return l;
    }

    @Test
    void aScriptEventfdKeepsItsNumberHostNumberAndUnreadCount_andStillSignals() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        int fd = scriptEventfd(a);
        EventFd e = a.host().process().eventFd(fd);
        e.signal();
        e.signal();
        Group r = checkpoint(h, List.of(a));
        Machine now = r.machines().get(0);
        assertEquals(table(a), table(now));
        EventFd again = now.host().process().eventFd(fd);
        assertNotNull(again, "descriptor " + fd + " is an eventfd of the restored VMM");
        assertEquals(e.id(), again.id());
        assertEquals(2, again.read(), "the unread count");
        again.signal();
        assertEquals(1, again.read(), "it still signals");
        assertTrue(now.host().process().eventfd() > fd, "a new descriptor takes no number the script holds");
    }

    @Test
    void anIrqfdTheScriptWiredStillDelivers() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        VfioPciDevice d = vfio(a);
        int gsi = d.msiFirst() + 1;
        int vmmFd = d.descriptors()[4 + 2];
        // the script takes vector 1's guest interrupt over: the VMM's irqfd goes, its own eventfd drives it
        assertTrue(a.host().vm().irqfds().deassign(vmmFd, gsi).isOk());
        int fd = scriptEventfd(a);
        assertTrue(a.host().vm().irqfds().assign(fd, gsi).isOk());
        Group r = checkpoint(h, List.of(a));
        Machine now = r.machines().get(0);
        assertEquals(links(a), links(now));
        List<Long> takenDelta = new ArrayList<>();
        for (Machine m : List.of(a, now)) {
            long before = taken(m, gsi);
            long injected = m.host().stats().passthrough().irqfdInjections;
            m.host().process().eventFd(fd).signal();
            m.runUntilIdle();
            assertEquals(injected + 1, m.host().stats().passthrough().irqfdInjections,
                "the script's eventfd triggers guest interrupt " + gsi + " in the kernel");
            takenDelta.add(taken(m, gsi) - before);
        }
        assertEquals(takenDelta.get(0), takenDelta.get(1), "the guest sees the same on both");
    }

    @Test
    void aVectorRewiredByTheScriptKeepsItsFailedLink_theIrqfdsAreListedInTheSourcesOrder() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        VfioPciDevice d = vfio(a);
        int kvm1 = d.descriptors()[4 + 2];
        // as passthrough.test.js: vector 1's eventfd given to vector 0's guest interrupt (EINVAL, logged)
        assertTrue(a.host().vm().irqfds().deassign(kvm1, d.msiFirst() + 1).isOk());
        assertTrue(a.host().vm().irqfds().assign(kvm1, d.msiFirst()).isOk());
        Group r = checkpoint(h, List.of(a));
        assertEquals(links(a), links(r.machines().get(0)));
        assertTrue(links(a).get(links(a).size() - 1).endsWith("failure EINVAL"), links(a).toString());
    }

    @Test
    void aFunctionTheScriptOpenedIsHeldAgainUnderTheSameDescriptors_armedWithItsEventfd() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        Machine b = vm(h, "xive", "on", null);
        int groupFd = b.host().vfio().openGroup(h.function(NIC2).group().number()).ret();
        int deviceFd = b.host().vfio().getDeviceFd(groupFd, NIC2).ret();
        b.host().process().openedByScript(groupFd);
        b.host().process().openedByScript(deviceFd);
        int fd = scriptEventfd(b);
        assertTrue(b.host().vfio().setIrqs(deviceFd, VfioDevice.INDEX_MSIX, 3, 1, new int[] {fd}).isOk());
        Group r = checkpoint(h, List.of(a, b));
        Machine now = r.machines().get(1);
        assertEquals(table(b), table(now));
        assertEquals("qemu-vm1", r.host().function(NIC2).owner().processName());
        assertEquals("qemu-vm1", r.host().function(NIC2).group().openedBy());
        for (Group g : List.of(new Group(h, List.of(a, b)), r)) {
            g.host().function(NIC2).fire(3);
            assertEquals(1, g.machines().get(1).host().process().eventFd(fd).read(), "vector 3 signals the script's eventfd");
        }
    }

    /**
     * The guest masks vector 1 in the MSI-X table after its use: the source's VMM keeps its eventfd,
     * its relay and its KVM route, and VFIO signals the VMM's eventfd; a restore would use only the
     * unmasked vectors. The restored VMM holds the same vectors, and a firing while masked latches
     * the PBA bit on both.
     */
    @Test
    void aVectorMaskedAfterUseRestoresTheSameArmedVectors() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        VfioPciDevice d = vfio(a);
        long ctrl = d.barCpuAddress(VfioPciDevice.MSIX_BAR) + 16 + 12;
        a.store(0, ctrl, 4, Integer.reverseBytes(1));
        Group r = checkpoint(h, List.of(a));
        VfioPciDevice now = vfio(r.machines().get(0));
        assertArrayEquals(d.descriptors(), now.descriptors());
        assertArrayEquals(d.vectorGsis(), now.vectorGsis());
        assertArrayEquals(d.vectorsRelayed(), now.vectorsRelayed());
        assertEquals(d.armedVectors(), now.armedVectors());
        assertEquals(table(a), table(r.machines().get(0)));
        assertEquals(links(a), links(r.machines().get(0)));
        for (Group g : List.of(new Group(h, List.of(a)), r)) {
            g.host().function(NIC).fire(1);
            g.machines().get(0).runUntilIdle();
            assertTrue(vfio(g.machines().get(0)).msixCapability().pending(1), "masked: latched in the PBA");
        }
    }

    @Test
    void kvmDeviceDescriptorsAreTheSources_afterACasSwitch() {
        PhysicalHost h = host();
        Machine a = booted(h, "dual", "on", NIC);
        Group r = checkpoint(h, List.of(a));
        Machine now = r.machines().get(0);
        assertEquals(a.host().process().fds().keySet(), now.host().process().fds().keySet());
        assertEquals(a.host().devices().stream().map(x -> x.fd() + " " + x.typeName()).toList(),
            now.host().devices().stream().map(x -> x.fd() + " " + x.typeName()).toList());
        assertEquals(a.host().vmas().stream().map(v -> v.name() + " " + v.fd()).toList(),
            now.host().vmas().stream().map(v -> v.name() + " " + v.fd()).toList());
    }

    /** A host stream of version 1 (roles and next descriptor only) still loads: as a VMM a script left alone. */
    @Test
    void aVersion1HostStreamStillLoads() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, List.of(a));
        List<SnapshotDump.Section> d = new ArrayList<>();
        for (SnapshotDump.Section x : SnapshotDump.decode(s.host())) {
            if (x.name().equals("host/vm/0")) {
                Map<String, Object> values = new java.util.LinkedHashMap<>(x.values());
                Map<String, io.pseries.core.snapshot.FieldType> types = new java.util.LinkedHashMap<>(x.types());
                for (String f : List.of("vectorGsi", "vectorRelayed", "armedVectors", "eventfds", "eventfdState", "vfioGroups",
                    "vfioDevices", "irqfds", "kvmDevices", "ipiHoles", "deviceSources")) {
                    values.remove(f);
                    types.remove(f);
                }
                x = new SnapshotDump.Section(x.name(), 1, x.minVersion(), values, types);
            }
            d.add(x);
        }
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h,
            new HostGroupSnapshot.Saved(SnapshotDump.encode(d), s.machines()), List.of(a.config()));
        assertArrayEquals(vfio(a).descriptors(), vfio(r.machines().get(0)).descriptors());
        assertEquals(4, SnapshotDump.decode(HostGroupSnapshot.save(r.host(), r.machines()).host()).get(1).version(),
            "written again at the current version, 4");
    }

    /**
     * A stream whose script eventfd takes a number a vfio-pci role holds is refused whole, naming
     * the field, before any machine is made: the source group keeps running as it was.
     */
    @Test
    void aCorruptNewFieldIsRefusedWhole_andTheSourceGroupIsUnchanged() {
        PhysicalHost h = host();
        Machine a = booted(h, "xive", "on", NIC);
        int fd = scriptEventfd(a);
        HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, List.of(a));
        List<String> before = table(a);
        List<SnapshotDump.Section> d = SnapshotDump.decode(s.host());
        d.get(1).values().put("eventfds", new int[] {vfio(a).deviceFd()});
        List<MachineConfig> cfgs = List.of(a.config());
        SnapshotException e = assertThrows(SnapshotException.class, () -> HostGroupSnapshot.restoreAsCheckpoint(h,
            new HostGroupSnapshot.Saved(SnapshotDump.encode(d), s.machines()), cfgs));
        assertTrue(e.getMessage().contains("host/vm/0") && e.getMessage().contains("'eventfds'")
            && e.getMessage().contains("another file"), e.getMessage());
        assertEquals(before, table(a));
        assertEquals(1, h.vmCount());
        assertEquals("qemu-vm0", h.function(NIC).owner().processName());
        a.host().process().eventFd(fd).signal();
        assertEquals(1, a.host().process().eventFd(fd).read());
        long was = taken(a, vfio(a).msiFirst() + 2);
        h.function(NIC).fire(2);
        a.runUntilIdle();
        assertEquals(was + 1, taken(a, vfio(a).msiFirst() + 2), "the source's interrupts keep flowing");
    }
}
