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
 *  hwIrqs    the host interrupts of its functions (ascending)    routing: the EAS word of each
 *  load      every number must be a host interrupt of a function of this host
 *  commit    (once the VM is restored) each word installed; a number the VM's host interrupt
 *            controller does not hold as a device source is refused
 * </pre>
 *
 * <p>Threading: the thread of the host's machines.
 */
final class HostVmSection implements SnapshotSection {
    static final String PREFIX = "host/vm/";
    private static final Schema SCHEMA = Schema.of("process", FieldType.STRING, "hwIrqs", FieldType.INTS,
        "routing", FieldType.LONGS);

    private final PhysicalHost host;
    private final int vm;
    /** The VM this section saves, or null when it loads (the restored VM is given to {@link #afterMachine}). */
    private final Machine m;
    private int[] hwIrqs;
    private long[] routing;

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
        for (HostPciFunction f : host.functions()) {
            if (f.owner() == null || !f.owner().processName().equals(m.host().process().name())) {
                continue;
            }
            for (int k = 0; k < f.hwIrqCount(); k++) {
                irqs.add(f.firstHwIrq() + k);
                words.add(intc.deviceSourceRouting(f.firstHwIrq() + k));
            }
        }
        irqs.sort(null);
        w.string("process", m.host().process().name()).ints("hwIrqs", irqs.stream().mapToInt(Integer::intValue).toArray())
            .longs("routing", words.stream().mapToLong(Long::longValue).toArray());
    }

    @Override
    public Runnable load(SectionReader r) {
        String process = r.string("process");
        if (!process.equals(process(vm))) {
            throw r.refuse("field 'process' is '" + process + "', VM " + vm + " of a host is " + process(vm));
        }
        int[] irqs = r.ints("hwIrqs");
        long[] words = r.longs("routing", irqs.length);
        for (int i = 0; i < irqs.length; i++) {
            if (i > 0 && irqs[i] <= irqs[i - 1]) {
                throw r.refuse("field 'hwIrqs' is not ascending at entry " + i);
            }
            if (!isFunctionIrq(irqs[i])) {
                throw r.refuse(String.format("host interrupt 0x%x is no interrupt of a PCI function of this host", irqs[i]));
            }
        }
        return () -> {
            hwIrqs = irqs;
            routing = words;
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

    /** Once {@code restored} (this VM) was restored: every recorded routing word installed. */
    void afterMachine(Machine restored) {
        HostInterruptController intc = restored.host().vm().hostIntc();
        for (int i = 0; i < hwIrqs.length; i++) {
            if (!intc.restoreDeviceSourceRouting(hwIrqs[i], routing[i])) {
                throw new SnapshotException(name(), String.format("host interrupt 0x%x is no device source of the"
                    + " restored %s's host interrupt controller: it does not hold that function again", hwIrqs[i],
                    restored.host().process().name()));
            }
        }
    }
}
