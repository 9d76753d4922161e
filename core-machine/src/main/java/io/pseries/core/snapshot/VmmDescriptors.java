package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pseries.core.Machine;
import io.pseries.core.dev.pci.PciDevice;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.VmmProcess;
import io.pseries.core.host.pt.EventFd;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.IommuGroup;
import io.pseries.core.host.pt.Irqfd;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.host.pt.VfioDevice;

/**
 * The part of {@code host/vm/N} that is one VMM's file table and what is wired to it: its
 * vfio-pci devices' descriptors by role and each vector's VMM state (version 1: roles and next
 * descriptor only), the files a script opened itself ({@code m.host.eventfd()},
 * {@code m.host.vfioOpen()}), the VM's irqfds ({@code m.host.irqfd()} included), what each VFIO
 * device file signals ({@code m.host.setIrqs()} included), the eventfds' unread counts and the
 * KVM devices' numbers. A restored VMM opens only what its machine's devices need, with numbers of
 * its own; this makes its table the source's.
 *
 * <pre>
 *  capture   roles, per vector (gsi of its KVM route, relayed by the VMM), armed count per device;
 *            every other file (eventfd: its host number; group: its number; device: its function)
 *  before    the restored VMM opens past the source's numbers; its KVM devices take the source's
 *  apply     (the machine restored, before its pages are faulted in again and it runs)
 *            vectors the guest masked after use made again ─► script files opened again
 *            ─► every file renumbered as the source's ─► table checked ─► VFIO triggers armed as
 *            the source's ─► irqfds assigned/deassigned, in the source's order ─► unread counts
 *            ─► KVM device numbers checked
 * </pre>
 *
 * <p>Threading: the thread of the host's machines.
 */
final class VmmDescriptors {
    private int[] roles = new int[0];
    private int nextFd;
    /** Null for a version-1 stream: only the roles and the next descriptor were recorded. */
    private Extra extra;

    /** What version 2 added. */
    record Extra(int[] vectorGsi, byte[] vectorRelayed, int[] armedVectors, int[] eventfds, long[] eventfdState,
                         int[] vfioGroups, int[] vfioDevices, int[] irqfds, int[] kvmDevices) {
    }

    static List<VfioPciDevice> vfioPci(Machine m) {
        List<VfioPciDevice> l = new ArrayList<>();
        for (PciDevice d : m.phb().devices()) {
            if (d instanceof VfioPciDevice v) {
                l.add(v);
            }
        }
        return l;
    }

    /** The descriptors of the VMM's vfio-pci devices, each device's by role, in plug order. */
    static int[] roles(Machine m) {
        List<Integer> l = new ArrayList<>();
        for (VfioPciDevice v : vfioPci(m)) {
            for (int fd : v.descriptors()) {
                l.add(fd);
            }
        }
        return ints(l);
    }

    static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long[] longs(List<Long> l) {
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    /** {@code m}'s VMM as it is now; throws {@link SnapshotException} (as {@code section}) for a file no field can hold. */
    static VmmDescriptors of(Machine m, PhysicalHost host, String section) {
        VmmDescriptors d = new VmmDescriptors();
        VmmProcess p = m.host().process();
        d.roles = roles(m);
        d.nextFd = p.nextFd();
        List<Integer> gsi = new ArrayList<>();
        List<Integer> relayed = new ArrayList<>();
        List<Integer> armed = new ArrayList<>();
        for (VfioPciDevice v : vfioPci(m)) {
            for (int g : v.vectorGsis()) {
                gsi.add(g);
            }
            for (boolean r : v.vectorsRelayed()) {
                relayed.add(r ? 1 : 0);
            }
            armed.add(v.armedVectors());
        }
        Set<Integer> role = new HashSet<>();
        for (int fd : d.roles) {
            role.add(fd);
        }
        List<Integer> eventfds = new ArrayList<>();
        List<Long> state = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        List<Integer> devices = new ArrayList<>();
        List<HostPciFunction> fns = host.functions();
        for (int fd = 0; fd < p.nextFd(); fd++) {
            Object f = p.file(fd);
            if (f == null) {
                continue;
            }
            if (f instanceof EventFd e) {
                state.add((long) fd);
                state.add(e.id());
                state.add(e.pending());
                // an eventfd no role names and no script opened is the VMM's own (an OpenCAPI AFU irq's): re-made
                if (!role.contains(fd) && p.isScriptFile(fd)) {
                    eventfds.add(fd);
                }
            } else if (f instanceof VfioDevice v) {
                devices.add(fd);
                devices.add(fns.indexOf(v.function()));
                devices.add(v.function().msixVectors());
                for (int k = 0; k < v.function().msixVectors(); k++) {
                    devices.add(fdOf(p, v.trigger(k), section));
                }
                devices.add(fdOf(p, v.intxTrigger(), section));
            } else if (f instanceof IommuGroup g) {
                if (!role.contains(fd)) {
                    groups.add(fd);
                    groups.add(g.number());
                }
            } else {
                throw new SnapshotException(section, "descriptor " + fd + " of " + p.name() + " is a file no field records");
            }
        }
        List<Integer> irqfds = new ArrayList<>();
        for (Irqfd i : m.host().vm().irqfds().list()) {
            irqfds.add(fdOf(p, i.token(), section));
            irqfds.add((int) i.gsi());
        }
        List<Integer> kvm = new ArrayList<>();
        for (Map.Entry<Integer, KvmDevice> e : p.fds().entrySet()) {
            kvm.add(e.getKey());
            kvm.add(e.getValue().type());
        }
        byte[] rel = new byte[relayed.size()];
        for (int i = 0; i < rel.length; i++) {
            rel[i] = (byte) (int) relayed.get(i);
        }
        d.extra = new Extra(ints(gsi), rel, ints(armed), ints(eventfds), longs(state), ints(groups), ints(devices),
            ints(irqfds), ints(kvm));
        return d;
    }

    static int fdOf(VmmProcess p, EventFd e, String section) {
        if (e == null) {
            return -1;
        }
        int fd = p.fdOf(e);
        if (fd < 0) {
            throw new SnapshotException(section, "eventfd " + e + " is wired in " + p.name() + " but no descriptor of it is open");
        }
        return fd;
    }

    void write(SectionWriter w) {
        Extra x = extra;
        w.ints("descriptors", roles).u32("nextFd", nextFd).ints("vectorGsi", x.vectorGsi())
            .bytes("vectorRelayed", x.vectorRelayed()).ints("armedVectors", x.armedVectors())
            .ints("eventfds", x.eventfds()).longs("eventfdState", x.eventfdState()).ints("vfioGroups", x.vfioGroups())
            .ints("vfioDevices", x.vfioDevices()).ints("irqfds", x.irqfds()).ints("kvmDevices", x.kvmDevices());
    }

    /** The stream's fields, validated as far as the stream alone allows (the rest when applied). */
    static VmmDescriptors read(SectionReader r, PhysicalHost host) {
        VmmDescriptors d = new VmmDescriptors();
        d.roles = r.ints("descriptors");
        d.nextFd = r.u32("nextFd", 0, Integer.MAX_VALUE);
        Set<Integer> files = new HashSet<>();
        for (int fd : d.roles) {
            if (fd < -1 || fd >= d.nextFd) {
                throw r.refuse("field 'descriptors' holds " + fd + ", not a descriptor below 'nextFd' (" + d.nextFd + ") or -1");
            }
            if (fd >= 0 && !files.add(fd)) {
                throw r.refuse("field 'descriptors' names descriptor " + fd + " twice");
            }
        }
        if (r.version() < 2) {
            return d;
        }
        int[] gsi = r.ints("vectorGsi");
        byte[] relayed = r.bytes("vectorRelayed", gsi.length);
        int[] armed = r.ints("armedVectors");
        for (int i = 0; i < gsi.length; i++) {
            if (gsi[i] < -1 || relayed[i] < 0 || relayed[i] > 1) {
                throw r.refuse("vector " + i + " has guest interrupt " + gsi[i] + " (-1: no KVM route) and relay flag "
                    + relayed[i] + " (0 or 1)");
            }
        }
        for (int a : armed) {
            if (a < 0 || a > PhysicalHost.MAX_MSIX) {
                throw r.refuse("field 'armedVectors' holds " + a + ", outside [0, " + PhysicalHost.MAX_MSIX + "]");
            }
        }
        int[] eventfds = r.ints("eventfds");
        for (int fd : eventfds) {
            newFile(r, "eventfds", fd, d.nextFd, files);
        }
        int[] groups = pairs(r, "vfioGroups");
        for (int i = 0; i < groups.length; i += 2) {
            newFile(r, "vfioGroups", groups[i], d.nextFd, files);
            if (host.group(groups[i + 1]) == null) {
                throw r.refuse("field 'vfioGroups': descriptor " + groups[i] + " is IOMMU group " + groups[i + 1]
                    + ", which this host does not have");
            }
        }
        long[] state = r.longs("eventfdState");
        if (state.length % 3 != 0) {
            throw r.refuse("field 'eventfdState' is not in threes (per eventfd: descriptor, host number, unread count)");
        }
        for (int i = 0; i < state.length; i += 3) {
            if (state[i] < 0 || state[i] >= d.nextFd || (i > 0 && state[i] <= state[i - 3]) || state[i + 1] <= 0
                || state[i + 2] < 0) {
                throw r.refuse("field 'eventfdState': eventfd " + i / 3 + " has descriptor " + state[i] + " (ascending,"
                    + " below 'nextFd'), host number " + state[i + 1] + " (from 1), unread count " + state[i + 2]
                    + " (not negative)");
            }
            if (!files.contains((int) state[i])) {
                // the VMM's own (an OpenCAPI AFU irq's), which its restore makes again
                newFile(r, "eventfdState", (int) state[i], d.nextFd, files);
            }
        }
        Set<Integer> roleFds = new HashSet<>(files);
        int[] devices = r.ints("vfioDevices");
        List<HostPciFunction> fns = host.functions();
        for (int i = 0; i < devices.length;) {
            if (i + 2 >= devices.length || devices[i + 1] < 0 || devices[i + 1] >= fns.size()
                || devices[i + 2] != fns.get(devices[i + 1]).msixVectors() || i + 4 + devices[i + 2] > devices.length) {
                throw r.refuse("field 'vfioDevices' does not hold together at entry " + i + " (per VFIO device file: its"
                    + " descriptor, its PCI function's index on this host, that function's vector count, a descriptor"
                    + " per vector, its INTx descriptor; -1 none)");
            }
            if (!roleFds.contains(devices[i])) {
                newFile(r, "vfioDevices", devices[i], d.nextFd, files);
            }
            i += 4 + devices[i + 2];
        }
        for (int i = 0; i < devices.length; i += 4 + devices[i + 2]) {
            for (int k = i + 3; k < i + 4 + devices[i + 2]; k++) {
                if (devices[k] != -1 && !files.contains(devices[k])) {
                    throw r.refuse("field 'vfioDevices': device " + devices[i] + " signals descriptor " + devices[k]
                        + ", which the VMM does not hold");
                }
            }
        }
        int[] irqfds = pairs(r, "irqfds");
        for (int i = 0; i < irqfds.length; i += 2) {
            if (!files.contains(irqfds[i]) || irqfds[i + 1] < 0) {
                throw r.refuse("irqfd " + i / 2 + " (eventfd " + irqfds[i] + ", guest interrupt " + irqfds[i + 1]
                    + ") names no descriptor of the VMM or a negative interrupt");
            }
        }
        int[] kvm = pairs(r, "kvmDevices");
        for (int i = 0; i < kvm.length; i += 2) {
            newFile(r, "kvmDevices", kvm[i], d.nextFd, files);
            if (kvm[i + 1] != KvmDeviceType.XIVE && kvm[i + 1] != KvmDeviceType.XICS) {
                throw r.refuse("field 'kvmDevices': descriptor " + kvm[i] + " has type " + kvm[i + 1]
                    + ", not a KVM interrupt device (" + KvmDeviceType.XICS + " XICS, " + KvmDeviceType.XIVE + " XIVE)");
            }
        }
        d.extra = new Extra(gsi, relayed, armed, eventfds, state, groups, devices, irqfds, kvm);
        return d;
    }

    private static int[] pairs(SectionReader r, String field) {
        int[] a = r.ints(field);
        if (a.length % 2 != 0) {
            throw r.refuse("field '" + field + "' has an odd number of elements (pairs)");
        }
        return a;
    }

    private static void newFile(SectionReader r, String field, int fd, int nextFd, Set<Integer> files) {
        if (fd < 0 || fd >= nextFd) {
            throw r.refuse("field '" + field + "' holds descriptor " + fd + ", not one below 'nextFd' (" + nextFd + ")");
        }
        if (!files.add(fd)) {
            throw r.refuse("field '" + field + "' names descriptor " + fd + ", which another file of the VMM holds");
        }
    }

    /** Before {@code fresh} (this VM, just created) is restored: what it opens is numbered past the source's. */
    void beforeRestore(Machine fresh) {
        fresh.host().process().skipTo(nextFd);
        if (extra != null) {
            int[] kvm = extra.kvmDevices();
            int[] numbers = new int[kvm.length / 2];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = kvm[2 * i];
            }
            fresh.host().process().numberDevicesAs(numbers);
        }
    }

    /**
     * Once {@code m} (this VM) was restored, before its pages are faulted in again and it runs:
     * its VMM's table made the source's ({@link VmmTableRestore}). Throws {@link SnapshotException} as {@code section}.
     */
    void apply(Machine m, String section) {
        VmmTableRestore.apply(this, m, section);
    }

    int[] roles() {
        return roles;
    }

    int nextFd() {
        return nextFd;
    }

    /** What version 2 recorded, or null (a version-1 stream). */
    Extra extra() {
        return extra;
    }
}
