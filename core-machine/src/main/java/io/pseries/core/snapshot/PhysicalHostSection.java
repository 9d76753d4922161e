package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.PhysicalHost;

/**
 * The physical host's own state ({@code host/physical}), the first section of a host-group
 * stream ({@link HostGroupSnapshot}): what no VM's stream holds because the VMs share it.
 *
 * <pre>
 *  layout     (cross-checked: the restoring host must have the very same functions)
 *             functions: addresses; groups: IOMMU group of each; msix: vectors; intx: pin 0/1;
 *             afuIrqs: the OpenCAPI link credit (0: no AFU)
 *  state      fired, dropped: per function, what its device raised and what reached nobody;
 *             intxLevel: the INTx wire; irqBypass: the kvm_irq_bypass parameter;
 *             afuContexts: the contexts open on each function's AFU (v2)
 *  counts     vms: VMs that joined (the next one is qemu-vmN); nextEventFd: the next eventfd's number
 *  record     owners: the VMM process holding each function ("" none), checked once the VMs are
 *             restored: each must have opened its functions again itself; likewise the AFU
 *             contexts: each VM's section {@code ocapi/ID} re-opens its VMM's context with its
 *             interrupts (and takes the link credit again), so the count is only checked
 * </pre>
 *
 * <p>Version 2 added {@code afuContexts}. A version 1 stream was saved only with no AFU context
 * open (its save refused any), so it loads as none on every AFU.
 *
 * <p>Threading: the thread of the host's machines.
 */
final class PhysicalHostSection implements SnapshotSection {
    static final String NAME = "host/physical";
    private static final Schema SCHEMA = Schema.of("functions", FieldType.STRING, "groups", FieldType.INTS,
        "msix", FieldType.INTS, "intx", FieldType.BYTES, "afuIrqs", FieldType.INTS, "fired", FieldType.LONGS,
        "dropped", FieldType.LONGS, "intxLevel", FieldType.BYTES, "irqBypass", FieldType.BOOL, "vms", FieldType.U32,
        "nextEventFd", FieldType.I64, "owners", FieldType.STRING, "afuContexts", FieldType.INTS);

    /** A validated stream's state, kept from the commit to {@link #afterMachines}. */
    private record Incoming(long[] fired, long[] dropped, byte[] intxLevel, boolean irqBypass, int vms,
                            long nextEventFd, List<String> owners, int[] afuContexts) {
    }

    private final PhysicalHost host;
    private Incoming incoming;

    PhysicalHostSection(PhysicalHost host) {
        this.host = host;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 2;
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

    private static List<String> split(String s, int n) {
        return n == 0 && s.isEmpty() ? List.of() : Arrays.asList(s.split(",", -1));
    }

    @Override
    public void save(SectionWriter w) {
        List<HostPciFunction> fns = host.functions();
        int n = fns.size();
        List<String> addrs = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        int[] groups = new int[n];
        int[] msix = new int[n];
        byte[] intx = new byte[n];
        int[] afu = new int[n];
        long[] fired = new long[n];
        long[] dropped = new long[n];
        byte[] level = new byte[n];
        int[] contexts = new int[n];
        for (int i = 0; i < n; i++) {
            HostPciFunction f = fns.get(i);
            contexts[i] = f.afu() == null ? 0 : f.afu().contexts();
            addrs.add(f.addr());
            owners.add(f.owner() == null ? "" : f.owner().processName());
            groups[i] = f.group().number();
            msix[i] = f.msixVectors();
            intx[i] = (byte) (f.hasIntx() ? 1 : 0);
            afu[i] = f.afu() == null ? 0 : f.afu().linkIrqs();
            fired[i] = f.fired();
            dropped[i] = f.dropped();
            level[i] = (byte) (f.intxLevel() ? 1 : 0);
        }
        w.string("functions", HostSection.join(addrs)).ints("groups", groups).ints("msix", msix).bytes("intx", intx)
            .ints("afuIrqs", afu).longs("fired", fired).longs("dropped", dropped).bytes("intxLevel", level)
            .bool("irqBypass", host.irqBypass()).u32("vms", host.vmCount()).i64("nextEventFd", host.peekNextEventFdId())
            .string("owners", HostSection.join(owners)).ints("afuContexts", contexts);
    }

    @Override
    public Runnable load(SectionReader r) {
        List<HostPciFunction> fns = host.functions();
        int n = fns.size();
        List<String> addrs = split(r.string("functions"), n);
        if (addrs.size() != n) {
            throw r.refuse("field 'functions' names " + addrs.size() + " PCI functions, this host has " + n);
        }
        int[] groups = r.ints("groups", n);
        int[] msix = r.ints("msix", n);
        byte[] intx = r.bytes("intx", n);
        int[] afu = r.ints("afuIrqs", n);
        for (int i = 0; i < n; i++) {
            HostPciFunction f = fns.get(i);
            String want = f.addr() + " (IOMMU group " + f.group().number() + ", " + f.msixVectors() + " MSI-X vectors, "
                + (f.hasIntx() ? "INTx" : "no INTx") + ", AFU irqs " + (f.afu() == null ? 0 : f.afu().linkIrqs()) + ")";
            if (!addrs.get(i).equals(f.addr()) || groups[i] != f.group().number() || msix[i] != f.msixVectors()
                || intx[i] != (f.hasIntx() ? 1 : 0) || afu[i] != (f.afu() == null ? 0 : f.afu().linkIrqs())) {
                throw r.refuse("PCI function " + i + " is " + addrs.get(i) + " (IOMMU group " + groups[i] + ", " + msix[i]
                    + " MSI-X vectors, " + (intx[i] != 0 ? "INTx" : "no INTx") + ", AFU irqs " + afu[i]
                    + "), this host's is " + want + ": a stream of another host");
            }
        }
        long[] fired = r.longs("fired", n);
        long[] dropped = r.longs("dropped", n);
        byte[] level = r.bytes("intxLevel", n);
        for (int i = 0; i < n; i++) {
            if (fired[i] < 0 || dropped[i] < 0 || dropped[i] > fired[i]) {
                throw r.refuse("function " + addrs.get(i) + ": fired " + fired[i] + " and dropped " + dropped[i]
                    + " are not counts with dropped at most fired");
            }
            if ((level[i] & 0xfe) != 0 || (level[i] == 1 && intx[i] == 0)) {
                throw r.refuse("function " + addrs.get(i) + ": INTx level " + level[i] + " (0 or 1, and 1 only with a pin)");
            }
        }
        boolean bypass = r.bool("irqBypass");
        int vms = r.u32("vms", 0, Integer.MAX_VALUE);
        long nextEventFd = r.i64("nextEventFd");
        if (nextEventFd < 1) {
            throw r.refuse("field 'nextEventFd' is " + nextEventFd + "; eventfds are numbered from 1");
        }
        List<String> owners = List.copyOf(split(r.string("owners"), n));
        if (owners.size() != n) {
            throw r.refuse("field 'owners' names " + owners.size() + " owners for " + n + " PCI functions");
        }
        int[] contexts = r.version() < 2 ? new int[n] : r.ints("afuContexts", n);
        for (int i = 0; i < n; i++) {
            if (contexts[i] < 0 || (contexts[i] > 0 && afu[i] == 0)) {
                throw r.refuse("function " + addrs.get(i) + ": " + contexts[i] + " AFU contexts"
                    + (contexts[i] < 0 ? " is not a count" : ", but it has no AFU"));
            }
        }
        return () -> {
            host.setIrqBypass(bypass);
            for (int i = 0; i < n; i++) {
                fns.get(i).restoreState(fired[i], dropped[i], level[i] == 1);
            }
            incoming = new Incoming(fired, dropped, level, bypass, vms, nextEventFd, owners, contexts);
        };
    }

    /** The VMs the stream counts (validated: each must have a machine stream). */
    int vms() {
        return incoming.vms();
    }

    /**
     * Once every VM joined and was restored: the counts continue from the stream's, each
     * function is held by the process that held it on the source and each AFU has as many
     * contexts open as there (else a refusal naming it).
     */
    void afterMachines() {
        Incoming in = incoming;
        List<HostPciFunction> fns = host.functions();
        for (int i = 0; i < fns.size(); i++) {
            HostPciFunction f = fns.get(i);
            String now = f.owner() == null ? "" : f.owner().processName();
            if (!now.equals(in.owners().get(i))) {
                throw new SnapshotException(NAME, "PCI function " + f.addr() + " was held by "
                    + (in.owners().get(i).isEmpty() ? "no process" : in.owners().get(i)) + ", the restored VMs leave it held by "
                    + (now.isEmpty() ? "no process" : now) + " (a VMM opens again only the functions its machine's"
                    + " vfio-pci devices name, not those a script opened with m.host.vfioOpen)");
            }
        }
        for (int i = 0; i < fns.size(); i++) {
            HostPciFunction f = fns.get(i);
            int now = f.afu() == null ? 0 : f.afu().contexts();
            if (now != in.afuContexts()[i]) {
                throw new SnapshotException(NAME, "the OpenCAPI AFU of " + f.addr() + " had " + in.afuContexts()[i]
                    + " context(s) open, the restored VMs opened " + now + " (only a VMM's own, through the RFC"
                    + " hcalls, are re-opened by its section ocapi/ID)");
            }
        }
        host.continueFrom(in.vms(), in.nextEventFd());
    }
}
