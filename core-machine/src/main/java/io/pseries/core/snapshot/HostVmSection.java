package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.Machine;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.pt.HostPciFunction;
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
 *  load      every number must be a host interrupt of a function of this host
 *  commit    (once the VM is restored) its VMM's files renumbered as the source's (a restore arms
 *            vectors with eventfds of its own numbering; scripts see them in m.host.links()), each
 *            word installed; a number the VM's host interrupt controller does not hold as a
 *            device source, or descriptors that do not pair up, are refused
 * </pre>
 *
 * <p>Threading: the thread of the host's machines.
 */
final class HostVmSection implements SnapshotSection {
    static final String PREFIX = "host/vm/";
    private static final Schema SCHEMA = Schema.of("process", FieldType.STRING, "hwIrqs", FieldType.INTS,
        "routing", FieldType.LONGS, "status", FieldType.BYTES, "descriptors", FieldType.INTS, "nextFd", FieldType.U32);

    private final PhysicalHost host;
    private final int vm;
    /** The VM this section saves, or null when it loads (the restored VM is given to {@link #afterMachine}). */
    private final Machine m;
    private int[] hwIrqs;
    private long[] routing;
    private byte[] status;
    private int[] descriptors;
    private int nextFd;

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
        return 1;
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
        w.string("process", m.host().process().name()).ints("hwIrqs", irqs.stream().mapToInt(Integer::intValue).toArray())
            .longs("routing", words.stream().mapToLong(Long::longValue).toArray()).bytes("status", st)
            .ints("descriptors", descriptors(m)).u32("nextFd", m.host().process().nextFd());
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
        int[] fds = r.ints("descriptors");
        for (int fd : fds) {
            if (fd < -1) {
                throw r.refuse("field 'descriptors' holds " + fd + ", not a descriptor or -1");
            }
        }
        int next = r.u32("nextFd", 0, Integer.MAX_VALUE);
        return () -> {
            hwIrqs = irqs;
            routing = words;
            status = st;
            descriptors = fds;
            nextFd = next;
        };
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
        fresh.host().process().skipTo(nextFd);
    }

    /** The descriptors of the VMM's vfio-pci devices, each device's by role, in plug order. */
    private static int[] descriptors(Machine m) {
        List<Integer> l = new ArrayList<>();
        for (io.pseries.core.dev.pci.PciDevice d : m.phb().devices()) {
            if (d instanceof io.pseries.core.dev.pci.VfioPciDevice v) {
                for (int fd : v.descriptors()) {
                    l.add(fd);
                }
            }
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Once {@code restored} (this VM) was restored: its VMM's vfio-pci descriptors are numbered
     * as the source's (the restore armed its vectors with eventfds of its own numbering), every
     * recorded routing word and state byte is installed, and the VM's in-kernel device is told of
     * each state byte (an event latched in Q is the host's alone).
     */
    void afterMachine(Machine restored) {
        int[] mine = descriptors(restored);
        if (mine.length != descriptors.length) {
            throw new SnapshotException(name(), "the stream records " + descriptors.length + " vfio-pci descriptors by role,"
                + " the restored VMM's devices have " + mine.length);
        }
        java.util.Map<Integer, Integer> moves = new java.util.HashMap<>();
        for (int i = 0; i < mine.length; i++) {
            if ((mine[i] < 0) != (descriptors[i] < 0)) {
                throw new SnapshotException(name(), "vfio-pci descriptor " + i + " (by role) is " + descriptors[i]
                    + " in the stream, " + mine[i] + " in the restored VMM: it did not arm the same vectors");
            }
            if (mine[i] >= 0) {
                moves.put(mine[i], descriptors[i]);
            }
        }
        String why = restored.host().process().renumberFiles(moves, nextFd);
        if (why != null) {
            throw new SnapshotException(name(), "the restored VMM cannot number its descriptors as the source's: " + why);
        }
        for (io.pseries.core.dev.pci.PciDevice d : restored.phb().devices()) {
            if (d instanceof io.pseries.core.dev.pci.VfioPciDevice v) {
                v.renumber(fd -> moves.getOrDefault(fd, fd));
            }
        }
        HostInterruptController intc = restored.host().vm().hostIntc();
        for (int i = 0; i < hwIrqs.length; i++) {
            if (!intc.restoreDeviceSourceRouting(hwIrqs[i], routing[i])
                || !intc.restoreDeviceSourceStatus(hwIrqs[i], status[i] & 0xff)) {
                throw new SnapshotException(name(), String.format("host interrupt 0x%x is no device source of the"
                    + " restored %s's host interrupt controller: it does not hold that function again", hwIrqs[i],
                    restored.host().process().name()));
            }
        }
        io.pseries.core.host.pt.InKernelIrqchip ic = restored.host().vm().irqchip();
        if (ic != null) {
            for (int i = 0; i < hwIrqs.length; i++) {
                ic.hostStateRestored(hwIrqs[i], status[i] & 0xff);
            }
        }
    }
}
