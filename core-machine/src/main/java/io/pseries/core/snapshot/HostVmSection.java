package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.Machine;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.InKernelIrqchip;
import io.pseries.core.host.pt.PhysicalHost;

/**
 * What the host keeps for one VM of a host group ({@code host/vm/N}, after {@code host/physical}
 * in a host stream, {@link HostGroupSnapshot}) that the VM's own stream does not: the routing
 * word (EAS) of every host interrupt of the PCI functions its VMM holds. KVM's set_mapped and
 * the guest's later source configurations write it in turn, so after QEMU 7.2's re-arming a
 * relinked vector carries the guest interrupt number as its data until the guest moves it; a
 * restore's own linking writes the guest's current configuration instead, so the word is put
 * back as it was.
 *
 * <pre>
 *  process   the VMM's name (qemu-vmN), cross-checked
 *  hwIrqs    the host interrupts of its functions (ascending)    routing: the EAS word of each,
 *            status: its state byte (PQ, asserted: an occurrence latched in Q is the host's alone)
 *  descriptors  its vfio-pci devices' descriptors by role (group, device, INTx eventfd, per
 *            vector the VMM's and KVM's eventfd; -1 none), nextFd: the next descriptor
 *  (v2)      per vector its KVM route's guest interrupt and whether the VMM relays it, per device
 *            the vectors armed; the files a script opened (eventfds with their host numbers, VFIO
 *            groups and devices), the irqfds, what each VFIO device file signals, the eventfds'
 *            unread counts, the KVM devices' numbers ({@link VmmDescriptors})
 *  (v3)      ipiHoles: the free IPIs below the highest one the VM's host interrupt controller
 *            holds (what freed AFU irqs left): reserved while the VM is restored, so its in-kernel
 *            device allocates around them, then freed: the next allocation takes them as on the
 *            source (a version-2 stream loads as one without holes)
 *  (v4)      deviceSources: every source the VM's in-kernel interrupt device made, ascending
 *            (guest interrupt << 32 | the host IPI backing it), those the VMM no longer claims
 *            included (KVM frees a device's sources only with the device: a freed AFU irq's
 *            LISN keeps its IPI): the device the restore makes holds each on that IPI, so its
 *            VMM's sources get the IPIs (and trigger pages) they had and the next allocation
 *            the number it gets without the checkpoint (a version-3 stream loads as no table:
 *            the restored device allocates its sources' IPIs afresh, lowest first); once the VM
 *            is restored its device must hold exactly that table, else refused
 *  load      every number must be a host interrupt of a function of this host; descriptors below
 *            nextFd, each held by one file; a version-1 stream loads as a VMM a script left alone
 *  commit    (once the VM is restored, before it runs) its VMM's table made the source's: the
 *            same descriptors, numbers, kinds, triggers and irqfds (scripts see them in
 *            m.host.links(), vfio(), devices()); (once it ran) each word installed; a number the
 *            VM's host interrupt controller does not hold as a device source, or descriptors
 *            that do not pair up, are refused
 * </pre>
 *
 * <p>Threading: the thread of the host's machines.
 */
final class HostVmSection implements SnapshotSection {
    static final String PREFIX = "host/vm/";
    private static final Schema SCHEMA = Schema.of("process", FieldType.STRING, "hwIrqs", FieldType.INTS,
        "routing", FieldType.LONGS, "status", FieldType.BYTES, "descriptors", FieldType.INTS, "nextFd", FieldType.U32,
        "vectorGsi", FieldType.INTS, "vectorRelayed", FieldType.BYTES, "armedVectors", FieldType.INTS,
        "eventfds", FieldType.INTS, "eventfdState", FieldType.LONGS, "vfioGroups", FieldType.INTS,
        "vfioDevices", FieldType.INTS, "irqfds", FieldType.INTS, "kvmDevices", FieldType.INTS,
        "ipiHoles", FieldType.INTS, "deviceSources", FieldType.LONGS);

    private final PhysicalHost host;
    private final int vm;
    /** The VM this section saves, or null when it loads (the restored VM is given to {@link #afterMachine}). */
    private final Machine m;
    private int[] hwIrqs;
    private long[] routing;
    private byte[] status;
    private VmmDescriptors descriptors;
    private int[] holes;
    /** The device's sources the stream recorded; null for a version-3 stream (none recorded). */
    private List<InKernelIrqchip.GuestSource> sources;
    /** The holes reserved in the restored VM's host interrupt controller, freed once it is restored. */
    private int[] reserved = new int[0];

    HostVmSection(PhysicalHost host, int vm, Machine m) {
        this.host = host;
        this.vm = vm;
        this.m = m;
    }

    @Override
    public String name() {
        return PREFIX + vm;
    }

    @Override
    public int version() {
        return 4;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    /** Host-group streams came after the machine streams: a machine's stream never has this section. */
    @Override
    public boolean optional() {
        return true;
    }

    private static String process(int vm) {
        return "qemu-vm" + vm;
    }

    @Override
    public void save(SectionWriter w) {
        HostInterruptController intc = m.host().vm().hostIntc();
        List<Integer> irqs = new ArrayList<>();
        List<Long> words = new ArrayList<>();
        List<Integer> states = new ArrayList<>();
        for (HostPciFunction f : host.functions()) {
            if (f.owner() == null || !f.owner().processName().equals(m.host().process().name())) {
                continue;
            }
            for (int k = 0; k < f.hwIrqCount(); k++) {
                irqs.add(f.firstHwIrq() + k);
                words.add(intc.deviceSourceRouting(f.firstHwIrq() + k));
                states.add(intc.deviceSourceStatus(f.firstHwIrq() + k));
            }
        }
        byte[] st = new byte[states.size()];
        for (int i = 0; i < st.length; i++) {
            st[i] = (byte) (int) states.get(i);
        }
        VmmDescriptors fds = VmmDescriptors.of(m, host, name());
        w.string("process", m.host().process().name()).ints("hwIrqs", irqs.stream().mapToInt(Integer::intValue).toArray())
            .longs("routing", words.stream().mapToLong(Long::longValue).toArray()).bytes("status", st);
        fds.write(w);
        w.ints("ipiHoles", intc.holes());
        InKernelIrqchip ic = m.host().vm().irqchip();
        List<InKernelIrqchip.GuestSource> made = ic == null ? List.of() : ic.sources();
        w.longs("deviceSources", made.stream().mapToLong(x -> (long) x.gsi() << 32 | (x.ipi() & 0xffff_ffffL)).toArray());
    }

    @Override
    public Runnable load(SectionReader r) {
        String process = r.string("process");
        if (!process.equals(process(vm))) {
            throw r.refuse("field 'process' is '" + process + "', VM " + vm + " of a host is " + process(vm));
        }
        int[] irqs = r.ints("hwIrqs");
        long[] words = r.longs("routing", irqs.length);
        byte[] st = r.bytes("status", irqs.length);
        for (int i = 0; i < irqs.length; i++) {
            if (i > 0 && irqs[i] <= irqs[i - 1]) {
                throw r.refuse("field 'hwIrqs' is not ascending at entry " + i);
            }
            if (!isFunctionIrq(irqs[i])) {
                throw r.refuse(String.format("host interrupt 0x%x is no interrupt of a PCI function of this host", irqs[i]));
            }
        }
        // version 1 recorded only the vfio-pci roles: it loads as a VMM whose script opened and wired nothing
        VmmDescriptors fds = VmmDescriptors.read(r, host);
        int[] ipiHoles = r.version() < 3 ? new int[0] : r.ints("ipiHoles");
        for (int i = 0; i < ipiHoles.length; i++) {
            if (ipiHoles[i] <= 0 || (i > 0 && ipiHoles[i] <= ipiHoles[i - 1])) {
                throw r.refuse("field 'ipiHoles' must hold ascending host interrupt numbers above 0, got "
                    + java.util.Arrays.toString(ipiHoles));
            }
        }
        List<InKernelIrqchip.GuestSource> table = r.version() < 4 ? null : deviceSources(r, ipiHoles);
        return () -> {
            sources = table;
            hwIrqs = irqs;
            routing = words;
            status = st;
            descriptors = fds;
            holes = ipiHoles;
        };
    }

    /** deviceSources checked: guest interrupts ascending, each IPI above 0, once, and no hole or function interrupt. */
    private List<InKernelIrqchip.GuestSource> deviceSources(SectionReader r, int[] ipiHoles) {
        long[] packed = r.longs("deviceSources");
        List<InKernelIrqchip.GuestSource> l = new ArrayList<>();
        java.util.Set<Integer> ipis = new java.util.HashSet<>();
        for (int i = 0; i < packed.length; i++) {
            long gsi = packed[i] >>> 32;
            int ipi = (int) packed[i];
            if (gsi > Integer.MAX_VALUE || i > 0 && gsi <= l.get(i - 1).gsi()) {
                throw r.refuse(String.format("field 'deviceSources': entry %d (guest interrupt 0x%x) is not above the"
                    + " one before", i, gsi));
            }
            String taken = ipi <= 0 ? "no IPI" : isFunctionIrq(ipi) ? "a PCI function's interrupt"
                : java.util.Arrays.binarySearch(ipiHoles, ipi) >= 0 ? "free (in ipiHoles)"
                : !ipis.add(ipi) ? "another source's IPI" : null;
            if (taken != null) {
                throw r.refuse(String.format("field 'deviceSources': guest interrupt 0x%x is backed by host interrupt"
                    + " 0x%x, which is %s", gsi, ipi, taken));
            }
            l.add(new InKernelIrqchip.GuestSource((int) gsi, ipi));
        }
        return l;
    }

    private boolean isFunctionIrq(int hw) {
        for (HostPciFunction f : host.functions()) {
            if (hw >= f.firstHwIrq() && hw < f.firstHwIrq() + f.hwIrqCount()) {
                return true;
            }
        }
        return false;
    }

    /** Before {@code fresh} (this VM, just created) is restored: what its restore opens is numbered past the source's. */
    void beforeRestore(Machine fresh) {
        descriptors.beforeRestore(fresh);
        HostInterruptController intc = fresh.host().vm().hostIntc();
        int[] got = new int[holes.length];
        int n = 0;
        for (int h : holes) {
            // a number the fresh VM already holds (or no IPI of its pool) is left as it is
            if (intc.allocIrqAt(h)) {
                got[n++] = h;
            }
        }
        reserved = java.util.Arrays.copyOf(got, n);
        fresh.host().vm().restoreSources(sources == null ? List.of() : sources);
    }

    /**
     * Once {@code restored} (this VM) was restored, before its pages are faulted in again and it
     * runs: its VMM's file table made the source's ({@link VmmDescriptors}: vectors masked after
     * use, the files and irqfds a script made, VFIO triggers, unread counts, the source's numbers).
     */
    void descriptorsRestored(Machine restored) {
        descriptors.apply(restored, name());
    }

    /**
     * Once {@code restored} (this VM) was restored and ran: every recorded routing word and state
     * byte is installed, and the VM's in-kernel device is told of each state byte (an event
     * latched in Q is the host's alone).
     */
    void afterMachine(Machine restored) {
        HostInterruptController intc = restored.host().vm().hostIntc();
        // a restore that made no in-kernel interrupt device (its controller emulated) left the table
        restored.host().vm().takeRestoredSources();
        for (int h : reserved) {
            intc.freeIrq(h);
        }
        reserved = new int[0];
        for (int i = 0; i < hwIrqs.length; i++) {
            if (!intc.restoreDeviceSourceRouting(hwIrqs[i], routing[i])
                || !intc.restoreDeviceSourceStatus(hwIrqs[i], status[i] & 0xff)) {
                throw new SnapshotException(name(), String.format("host interrupt 0x%x is no device source of the"
                    + " restored %s's host interrupt controller: it does not hold that function again", hwIrqs[i],
                    restored.host().process().name()));
            }
        }
        InKernelIrqchip ic = restored.host().vm().irqchip();
        List<InKernelIrqchip.GuestSource> made = ic == null ? List.of() : ic.sources();
        if (sources != null && !sources.equals(made)) {
            int k = 0;
            while (k < made.size() && k < sources.size() && made.get(k).equals(sources.get(k))) {
                k++;
            }
            throw new SnapshotException(name(), "the restored " + restored.host().process().name() + "'s in-kernel"
                + " interrupt device does not hold the sources of field 'deviceSources': its source " + k + " is "
                + (k < made.size() ? made.get(k) : "none") + ", the stream's " + (k < sources.size() ? sources.get(k)
                : "none") + " (a source its VMM claims missing from the table, or an IPI another user holds)");
        }
        if (ic != null) {
            for (int i = 0; i < hwIrqs.length; i++) {
                ic.hostStateRestored(hwIrqs[i], status[i] & 0xff);
            }
        }
    }
}
