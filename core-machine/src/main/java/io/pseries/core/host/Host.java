package io.pseries.core.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.host.pt.VfioDriver;
import io.pseries.core.trace.Trace;

/**
 * The simulated host under one machine: its kernel's KVM VM ({@link #vm()}), the VMM process
 * ({@link #process()}: device fds and VMAs), the VM's memory slots ({@link #memslots()}), the
 * counters ({@link #stats()}) and the virtual-time cost of each exit ({@link #charge}). It knows
 * no interrupt-controller class: devices and the host XIVE come from plugins.
 *
 * <pre>
 *  guest load/store at gpa ─► memslot? ─► hva ─► device VMA? ─► page present? ─► host physical page
 *                                 │                 │              └ no: fault handler (fault / SIGBUS)
 *                                 └ no ─► NOT_MAPPED (the machine emulates: a VMM exit)
 *  hcall / RTAS / MMIO exits ─► charge(kind, path) ─► counters + ns of virtual time
 * </pre>
 *
 * <p>At creation the VMM maps guest RAM (one anonymous VMA) and registers it as memory slot 0,
 * as QEMU does for {@code ppc_spapr.ram}.
 *
 * <p>Threading: the machine's thread only.
 */
public final class Host {
    /** {@link #access} outcome: no device page maps the address; the VMM must emulate it. */
    public static final int NOT_MAPPED = 0;
    private static final int MMIO_EXIT = ExitKind.MMIO.ordinal();
    /** {@link #access} outcome: served through a mapped page. */
    public static final int DIRECT = 1;
    /** {@link #access} outcome: the page's fault handler raised SIGBUS (load returns -1, store dropped). */
    public static final int SIGBUS = 2;

    private final HostConfig config;
    private final HostStats stats = new HostStats();
    private final VmmProcess process;
    private final MemSlots memslots;
    private final KvmVm vm;
    private final Trace trace;
    private int lastOutcome;
    /** The configured cost of an MMIO exit (the configuration is immutable). */
    private final long mmioExitNs;
    private boolean lastFaulted;
    private final List<MappingFailure> failures = new ArrayList<>();
    private final PhysicalHost physical;
    private final int vmIndex;
    private final VfioDriver vfio;

    /** A VM on a private host of its own. */
    public Host(HostConfig config, List<VCpu> cpus, GuestMemory memory, Trace trace) {
        this(new PhysicalHost(config), cpus, memory, trace, KvmVm.loadProviders());
    }

    /** A VM on {@code physical}, which other VMs may share. */
    public Host(PhysicalHost physical, List<VCpu> cpus, GuestMemory memory, Trace trace) {
        this(physical, cpus, memory, trace, KvmVm.loadProviders());
    }

    /** With an explicit list of device providers (tests pick plugins this way). */
    public Host(HostConfig config, List<VCpu> cpus, GuestMemory memory, Trace trace, List<KvmDeviceProvider> providers) {
        this(new PhysicalHost(config), cpus, memory, trace, providers);
    }

    private Host(PhysicalHost physical, List<VCpu> cpus, GuestMemory memory, Trace trace,
                 List<KvmDeviceProvider> providers) {
        HostConfig config = physical.config();
        this.physical = physical;
        this.vmIndex = physical.join();
        this.config = config;
        this.mmioExitNs = config.costs().mmioExitNs();
        this.trace = trace;
        this.process = new VmmProcess(config, stats, trace, "qemu-vm" + vmIndex, physical::nextEventFdId);
        this.memslots = new MemSlots(config.userMemSlots(), config.pageShift(), stats);
        this.vm = new KvmVm(config, List.copyOf(cpus), memory, trace, stats, process, memslots, providers, physical);
        this.vfio = new VfioDriver(physical, process, vm::hostIntc, trace, stats.passthrough());
        Vma ram = process.mmapAnonymous("guest RAM", memory.size()).vma();
        memslots.set(0, 0, memory.size(), ram.start(), 0, "ppc_spapr.ram");
    }

    public HostConfig config() {
        return config;
    }

    /** The physical host this VM runs on (shared with the other VMs of {@code host.machine}). */
    public PhysicalHost physical() {
        return physical;
    }

    /** This VM's number on its physical host. */
    public int vmIndex() {
        return vmIndex;
    }

    /**
     * Told around every switch of the in-kernel interrupt device (QEMU's kvm irqchip change
     * notifier, extended to MSIs here): {@code changing} before the old device goes,
     * {@code changed} once the new one (or the emulated controller) is in place.
     */
    public interface IrqchipListener {
        void changing();

        void changed();
    }

    private final List<IrqchipListener> irqchipListeners = new ArrayList<>();

    public void addIrqchipListener(IrqchipListener l) {
        irqchipListeners.add(l);
    }

    /** Called by the kernel-irqchip policy before a controller switch. */
    public void irqchipChanging() {
        for (IrqchipListener l : irqchipListeners) {
            l.changing();
        }
    }

    /** Called by the kernel-irqchip policy after a controller switch. */
    public void irqchipChanged() {
        for (IrqchipListener l : irqchipListeners) {
            l.changed();
        }
    }

    /** The host's VFIO driver as this VM's VMM reaches it. */
    public VfioDriver vfio() {
        return vfio;
    }

    public KvmVm vm() {
        return vm;
    }

    public VmmProcess process() {
        return process;
    }

    public MemSlots memslots() {
        return memslots;
    }

    public HostStats stats() {
        return stats;
    }

    public Trace trace() {
        return trace;
    }

    /** One live KVM device as the VMM sees it. */
    public record DeviceInfo(int fd, int type, String typeName, String name, Map<String, Long> attributes) {
    }

    /** The VM's live devices, by fd: type, kernel name, and attribute calls made per group. */
    public List<DeviceInfo> devices() {
        List<DeviceInfo> l = new ArrayList<>();
        for (Map.Entry<Integer, KvmDevice> e : process.fds().entrySet()) {
            KvmDevice d = e.getValue();
            l.add(new DeviceInfo(e.getKey(), d.type(), KvmDeviceType.name(d.type()), d.name(), vm.attributeCounts(d)));
        }
        return l;
    }

    /**
     * The descriptor of the live device of {@code type} ({@link KvmDeviceType#XIVE},
     * {@link KvmDeviceType#XICS}), or -1. The raw attribute calls take it:
     * {@code vm().setAttr(fd, group, attr, data...)}, {@code vm().getAttr(fd, group, attr)},
     * {@code vm().hasAttr(fd, group, attr)}, each answering a {@link KvmResult} {ret, errno, data}.
     */
    public int fd(int type) {
        for (Map.Entry<Integer, KvmDevice> e : process.fds().entrySet()) {
            if (e.getValue().type() == type) {
                return e.getKey();
            }
        }
        return -1;
    }

    /** A mapping the VMM could not make (traced as a {@code kvm} event {@code mapping_failed}). */
    public void recordFailure(MappingFailure f) {
        failures.add(f);
        if (trace.on(io.pseries.core.trace.TraceCategory.KVM)) {
            trace.emit(io.pseries.core.trace.TraceCategory.KVM, -1, "mapping_failed", "call", f.call(), "errno",
                f.errno().name(), "lisn", f.lisn(), "message", f.message());
        }
    }

    /** The mappings that failed, in order. */
    public List<MappingFailure> failures() {
        return List.copyOf(failures);
    }

    /** The VMM's VMAs, lowest address first. */
    public List<Vma> vmas() {
        return process.vmas();
    }

    /**
     * Counts one exit and returns its cost in ns ({@link ExitCosts}); a {@link AccessPath#DIRECT}
     * access counts as a direct access and costs {@code directNs}.
     */
    public long charge(ExitKind kind, AccessPath path) {
        ExitCosts c = config.costs();
        long ns;
        switch (path) {
            case VMM_EXIT -> {
                stats.vmmExits[kind.ordinal()]++;
                ns = kind == ExitKind.MMIO ? c.mmioExitNs() : c.vmmHcallNs();
            }
            case KERNEL -> {
                stats.kernelExits[kind.ordinal()]++;
                ns = c.kernelHcallNs();
            }
            default -> {
                stats.directAccesses++;
                ns = c.directNs();
            }
        }
        stats.exitNs += ns;
        return ns;
    }

    /** {@link #charge}{@code (MMIO, VMM_EXIT)} without the dispatch on kind and path: the guest-ABI MMIO path's. */
    public long chargeMmioExit() {
        long ns = mmioExitNs;
        stats.vmmExits[MMIO_EXIT]++;
        stats.exitNs += ns;
        return ns;
    }

    /** What one MMIO exit to the VMM costs in ns (the {@link ExitCosts} of this host). */
    public long mmioExitNs() {
        return mmioExitNs;
    }

    /**
     * Counts {@code n} MMIO exits to the VMM that a parallel IPI run's schedule domains took and
     * counted themselves ({@link #chargeMmioExit} once each, folded in when the run is over).
     */
    public void countMmioExits(long n) {
        stats.vmmExits[MMIO_EXIT] += n;
        stats.exitNs += n * mmioExitNs;
    }

    /**
     * A guest access at guest physical {@code gpa}: when a memory slot maps it to a device VMA,
     * the access goes to the host physical page inserted there (faulting it in first), and
     * {@link #lastOutcome()} is {@link #DIRECT} or {@link #SIGBUS}; otherwise nothing happens and
     * the outcome is {@link #NOT_MAPPED}. Returns the loaded value (-1 on SIGBUS, 0 for stores).
     * RAM slots are not served here (the machine reads RAM itself).
     */
    public long access(VCpu cpu, long gpa, int size, boolean write, long value) {
        lastOutcome = NOT_MAPPED;
        lastFaulted = false;
        MemSlot s = memslots.find(gpa);
        if (s == null || s.slot() == 0) {
            return 0;
        }
        Vma v = process.find(s.hva() + (gpa - s.gpa()));
        if (v == null || v.file() == null) {
            return 0;
        }
        long off = s.hva() + (gpa - s.gpa()) - v.start();
        long page = off >>> config.pageShift();
        long faults = stats.faults;
        long phys = process.touch(v, page, cpu == null ? -1 : cpu.index());
        lastFaulted = stats.faults != faults;
        if (lastFaulted) {
            stats.exitNs += config.costs().faultNs();
        }
        if (phys < 0) {
            lastOutcome = SIGBUS;
            return write ? 0 : -1;
        }
        long pa = phys + (off & (config.pageSize() - 1));
        MmioRegion r = vm.hostPhys().find(pa);
        lastOutcome = DIRECT;
        if (r == null) {
            // an inserted page with nothing behind it reads as all-ones, as unbacked bus addresses do
            return write ? 0 : -1;
        }
        if (write) {
            r.handler().write(cpu, pa - r.base(), size, value);
            return 0;
        }
        return r.handler().read(cpu, pa - r.base(), size);
    }

    /** The outcome of the last {@link #access}. */
    public int lastOutcome() {
        return lastOutcome;
    }

    /** Whether the last {@link #access} took a host page fault. */
    public boolean lastFaulted() {
        return lastFaulted;
    }

    /** {@code { devices, vmas, memslots, stats }} as plain data (what {@code m.host} shows). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pageSize", config.pageSizeName());
        m.put("devices", devices().size());
        m.put("vmas", process.vmas().size());
        m.put("memslots", memslots.count());
        m.put("stats", stats.toMap());
        return m;
    }
}
