package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.pseries.core.Machine;
import io.pseries.core.dev.pci.VfioPciDevice;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.VmmProcess;
import io.pseries.core.host.pt.EventFd;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.Irqfd;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.host.pt.VfioDevice;

/**
 * The commit of {@link VmmDescriptors} on a restored VM: its VMM's file table made the source's.
 *
 * <pre>
 *  vectors masked after use made again (version 2) ─► roles paired with the source's ─► the
 *  script's files opened again ─► every file renumbered ─► (version 2) table checked ─► VFIO
 *  triggers armed as the source's ─► irqfds assigned/deassigned and ordered ─► each eventfd's host
 *  number and unread count ─► KVM device numbers checked
 * </pre>
 *
 * <p>Threading: the thread of the host's machines.
 */
final class VmmTableRestore {
    private final int[] roles;
    private final int nextFd;
    private final VmmDescriptors.Extra extra;

    private VmmTableRestore(VmmDescriptors d) {
        this.roles = d.roles();
        this.nextFd = d.nextFd();
        this.extra = d.extra();
    }

    /**
     * Once {@code m} (this VM) was restored, before its pages are faulted in again and it runs:
     * its VMM's table made the source's. Throws {@link SnapshotException} as {@code section}.
     */
    static void apply(VmmDescriptors d, Machine m, String section) {
        new VmmTableRestore(d).run(m, section);
    }

    private void run(Machine m, String section) {
        VmmProcess p = m.host().process();
        p.numberDevicesAs(null);
        List<VfioPciDevice> devs = VmmDescriptors.vfioPci(m);
        if (extra != null) {
            restoreVectors(devs, section);
        }
        int[] mine = VmmDescriptors.roles(m);
        if (mine.length != roles.length) {
            throw new SnapshotException(section, "the stream records " + roles.length + " vfio-pci descriptors by role,"
                + " the restored VMM's devices have " + mine.length);
        }
        Map<Integer, Integer> moves = new HashMap<>();
        for (int i = 0; i < mine.length; i++) {
            if ((mine[i] < 0) != (roles[i] < 0)) {
                throw new SnapshotException(section, "vfio-pci descriptor " + i + " (by role) is " + roles[i]
                    + " in the stream, " + mine[i] + " in the restored VMM: it did not arm the same vectors");
            }
            if (mine[i] >= 0) {
                moves.put(mine[i], roles[i]);
            }
        }
        if (extra != null) {
            reopen(m, moves, section);
        }
        String why = p.renumberFiles(moves, nextFd);
        if (why != null) {
            throw new SnapshotException(section, "the restored VMM cannot number its descriptors as the source's: " + why);
        }
        for (VfioPciDevice v : devs) {
            v.renumber(fd -> moves.getOrDefault(fd, fd));
        }
        if (extra == null) {
            return;
        }
        checkTable(p, section);
        armTriggers(m, section);
        wireIrqfds(m, section);
        long[] state = extra.eventfdState();
        int eventfds = 0;
        for (int fd = 0; fd < p.nextFd(); fd++) {
            eventfds += p.eventFd(fd) != null ? 1 : 0;
        }
        if (eventfds != state.length / 3) {
            throw new SnapshotException(section, "field 'eventfdState' records " + state.length / 3 + " eventfds, the"
                + " restored " + p.name() + " holds " + eventfds);
        }
        for (int i = 0; i < state.length; i += 3) {
            EventFd e = p.eventFd((int) state[i]);
            if (e == null) {
                throw new SnapshotException(section, "field 'eventfdState' names descriptor " + state[i] + ", no eventfd"
                    + " of the restored " + p.name());
            }
            e.restoreId(state[i + 1]);
            e.restoreCount(state[i + 2]);
        }
        List<Integer> kvm = new ArrayList<>();
        for (Map.Entry<Integer, KvmDevice> e : p.fds().entrySet()) {
            kvm.add(e.getKey());
            kvm.add(e.getValue().type());
        }
        if (!java.util.Arrays.equals(VmmDescriptors.ints(kvm), extra.kvmDevices())) {
            throw new SnapshotException(section, "the restored VMM holds KVM devices " + kvm + " (descriptor, type),"
                + " the source's " + java.util.Arrays.toString(extra.kvmDevices()));
        }
    }

    /** Each vfio-pci device's vectors as the source's VMM held them (those masked after use included). */
    private void restoreVectors(List<VfioPciDevice> devs, String section) {
        VmmDescriptors.Extra x = extra;
        if (x.armedVectors().length != devs.size()) {
            throw new SnapshotException(section, "field 'armedVectors' records " + x.armedVectors().length
                + " vfio-pci devices, the restored VM has " + devs.size());
        }
        int role = 0;
        int vec = 0;
        for (int k = 0; k < devs.size(); k++) {
            VfioPciDevice v = devs.get(k);
            int srcVectors = v.vectorGsis().length;
            // the source's roles of this device: 3, then 2 per vector (none while its MSI-X was off), as the restored one's
            if (role + 3 + 2 * srcVectors > roles.length) {
                throw new SnapshotException(section, "field 'descriptors' ends before the roles of vfio-pci device " + k);
            }
            boolean[] used = new boolean[srcVectors];
            boolean[] relayed = new boolean[srcVectors];
            int[] gsi = new int[srcVectors];
            if (vec + srcVectors > x.vectorGsi().length) {
                throw new SnapshotException(section, "field 'vectorGsi' records fewer vectors than vfio-pci device " + k
                    + " has");
            }
            for (int i = 0; i < srcVectors; i++) {
                used[i] = roles[role + 3 + 2 * i] >= 0;
                relayed[i] = x.vectorRelayed()[vec + i] != 0;
                gsi[i] = x.vectorGsi()[vec + i];
            }
            String why = v.restoreVectors(used, relayed, gsi, x.armedVectors()[k]);
            if (why != null) {
                throw new SnapshotException(section, why);
            }
            role += 3 + 2 * srcVectors;
            vec += srcVectors;
        }
        if (vec != x.vectorGsi().length) {
            throw new SnapshotException(section, "field 'vectorGsi' records " + x.vectorGsi().length + " vectors, the"
                + " restored VM's vfio-pci devices have " + vec);
        }
    }

    /** The files a script opened, opened again (numbered later by {@code moves}: this table's number to the source's). */
    private void reopen(Machine m, Map<Integer, Integer> moves, String section) {
        VmmProcess p = m.host().process();
        PhysicalHost host = m.host().physical();
        TreeMap<Integer, Runnable> byFd = new TreeMap<>();
        VmmDescriptors.Extra x = extra;
        for (int src : x.eventfds()) {
            // numbered by the host now; its source number is put back with every other eventfd's
            byFd.put(src, () -> {
                int fd = p.eventfd();
                p.openedByScript(fd);
                moves.put(fd, src);
            });
        }
        for (int i = 0; i < x.vfioGroups().length; i += 2) {
            int src = x.vfioGroups()[i];
            int group = x.vfioGroups()[i + 1];
            byFd.put(src, () -> {
                KvmResult r = m.host().vfio().openGroup(group);
                if (!r.isOk()) {
                    throw new SnapshotException(section, "the restored " + p.name() + " cannot open IOMMU group " + group
                        + " again: " + r.errno());
                }
                p.openedByScript(r.ret());
                moves.put(r.ret(), src);
            });
        }
        Set<Integer> role = new HashSet<>();
        for (int fd : roles) {
            role.add(fd);
        }
        int[] t = x.vfioDevices();
        for (int i = 0; i < t.length; i += 4 + t[i + 2]) {
            int src = t[i];
            if (role.contains(src)) {
                continue;
            }
            HostPciFunction f = host.functions().get(t[i + 1]);
            byFd.put(src, () -> {
                int groupFd = p.fdOf(f.group());
                KvmResult r = groupFd < 0 ? KvmResult.error(io.pseries.core.host.Errno.EBADF)
                    : m.host().vfio().getDeviceFd(groupFd, f.addr());
                if (!r.isOk()) {
                    throw new SnapshotException(section, "the restored " + p.name() + " cannot get the VFIO device of "
                        + f.addr() + " again: " + (groupFd < 0 ? "its group " + f.group().number() + " is not open" : r.errno()));
                }
                p.openedByScript(r.ret());
                moves.put(r.ret(), src);
            });
        }
        // in the source's order: a device file after its group's
        byFd.values().forEach(Runnable::run);
        // the VMM's own eventfds no vfio-pci role names (an OpenCAPI AFU irq's), which its restore made
        // again: paired with the source's in order
        List<Integer> theirs = ownEventfds();
        List<Integer> ours = new ArrayList<>();
        for (int fd = 0; fd < p.nextFd(); fd++) {
            if (p.eventFd(fd) != null && !moves.containsKey(fd)) {
                ours.add(fd);
            }
        }
        if (ours.size() != theirs.size()) {
            throw new SnapshotException(section, "the source's " + p.name() + " held " + theirs.size() + " eventfds of its"
                + " own besides its vfio-pci devices' (" + theirs + "), the restored one " + ours.size());
        }
        for (int i = 0; i < ours.size(); i++) {
            moves.put(ours.get(i), theirs.get(i));
        }
    }

    /** The source's eventfds that are neither a vfio-pci role nor a script's, ascending. */
    private List<Integer> ownEventfds() {
        Set<Integer> named = new HashSet<>();
        for (int fd : roles) {
            named.add(fd);
        }
        for (int fd : extra.eventfds()) {
            named.add(fd);
        }
        List<Integer> l = new ArrayList<>();
        long[] state = extra.eventfdState();
        for (int i = 0; i < state.length; i += 3) {
            if (!named.contains((int) state[i])) {
                l.add((int) state[i]);
            }
        }
        return l;
    }

    /** The restored table holds exactly the source's descriptors. */
    private void checkTable(VmmProcess p, String section) {
        Set<Integer> want = new java.util.TreeSet<>();
        for (int fd : roles) {
            if (fd >= 0) {
                want.add(fd);
            }
        }
        want.addAll(ownEventfds());
        for (int fd : extra.eventfds()) {
            want.add(fd);
        }
        for (int i = 0; i < extra.vfioGroups().length; i += 2) {
            want.add(extra.vfioGroups()[i]);
        }
        int[] t = extra.vfioDevices();
        for (int i = 0; i < t.length; i += 4 + t[i + 2]) {
            want.add(t[i]);
        }
        Set<Integer> have = new java.util.TreeSet<>();
        for (int fd = 0; fd < p.nextFd(); fd++) {
            if (p.file(fd) != null) {
                have.add(fd);
            }
        }
        if (!have.equals(want)) {
            throw new SnapshotException(section, "the restored " + p.name() + " holds descriptors " + have + ", the source's "
                + want);
        }
    }

    /** Every VFIO device file signals the eventfds the source's did (a script's VFIO_DEVICE_SET_IRQS included). */
    private void armTriggers(Machine m, String section) {
        VmmProcess p = m.host().process();
        int[] t = extra.vfioDevices();
        int devices = 0;
        for (int i = 0; i < t.length; i += 4 + t[i + 2]) {
            devices++;
            VfioDevice d = m.host().vfio().device(t[i]);
            HostPciFunction f = m.host().physical().functions().get(t[i + 1]);
            if (d == null || d.function() != f) {
                throw new SnapshotException(section, "field 'vfioDevices' names descriptor " + t[i] + " as the VFIO device"
                    + " of " + f.addr() + ", " + (d == null ? "no VFIO device of the restored VMM" : "it is "
                    + d.function().addr()));
            }
            for (int v = 0; v < t[i + 2]; v++) {
                int want = t[i + 3 + v];
                // (a trigger whose eventfd the restore closed has no number: armed again)
                if ((d.trigger(v) == null ? -1 : p.fdOf(d.trigger(v))) != want) {
                    expectOk(m.host().vfio().setIrqs(t[i], VfioDevice.INDEX_MSIX, v, 1, new int[] {want}), section,
                        "vector " + v + " of " + f.addr());
                }
            }
            int intx = t[i + 3 + t[i + 2]];
            if ((d.intxTrigger() == null ? -1 : p.fdOf(d.intxTrigger())) != intx) {
                if (intx >= 0 && !f.hasIntx()) {
                    throw new SnapshotException(section, f.addr() + " has no INTx pin to signal " + intx);
                }
                expectOk(m.host().vfio().setIrqs(t[i], VfioDevice.INDEX_INTX, 0, intx < 0 ? 0 : 1,
                    intx < 0 ? null : new int[] {intx}), section, "INTx of " + f.addr());
            }
        }
        int have = 0;
        for (int fd = 0; fd < p.nextFd(); fd++) {
            have += p.file(fd) instanceof VfioDevice ? 1 : 0;
        }
        if (have != devices) {
            throw new SnapshotException(section, "field 'vfioDevices' records " + devices + " VFIO devices, the restored"
                + " VMM holds " + have);
        }
    }

    private static void expectOk(KvmResult r, String section, String what) {
        if (!r.isOk()) {
            throw new SnapshotException(section, "arming " + what + " as the source's fails: " + r.errno());
        }
    }

    /** The VM's irqfds made the source's: those it lacks assigned, those it has beyond them deassigned, then ordered. */
    private void wireIrqfds(Machine m, String section) {
        VmmProcess p = m.host().process();
        int[] want = extra.irqfds();
        List<Long> wanted = new ArrayList<>();
        for (int i = 0; i < want.length; i += 2) {
            wanted.add(key(want[i], want[i + 1]));
        }
        io.pseries.core.host.pt.KvmIrqfds irqfds = m.host().vm().irqfds();
        Set<Long> have = new HashSet<>();
        for (Irqfd i : irqfds.list()) {
            long k = key(p.fdOf(i.token()), i.gsi());
            if (!wanted.contains(k)) {
                irqfds.deassign(p.fdOf(i.token()), i.gsi());
            } else {
                have.add(k);
            }
        }
        for (int i = 0; i < want.length; i += 2) {
            if (!have.contains(key(want[i], want[i + 1]))) {
                expectOk(irqfds.assign(want[i], want[i + 1]), section, "the irqfd of eventfd " + want[i]
                    + " on guest interrupt " + want[i + 1]);
            }
        }
        irqfds.reorder(i -> wanted.indexOf(key(p.fdOf(i.token()), i.gsi())));
        if (irqfds.list().size() != wanted.size()) {
            throw new SnapshotException(section, "the restored VM has " + irqfds.list().size() + " irqfds, the source's "
                + wanted.size());
        }
    }

    private static long key(int fd, long gsi) {
        return ((long) fd << 32) | (gsi & 0xffff_ffffL);
    }
}
