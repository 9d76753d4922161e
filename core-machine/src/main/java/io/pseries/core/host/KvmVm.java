package io.pseries.core.host;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.mem.MmioSpace;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * One KVM virtual machine of the simulated host kernel, as the VMM reaches it through ioctls,
 * and what its in-kernel devices may use of the host.
 *
 * <pre>
 *  createDevice(type) ─► provider offered by the host? (else ENODEV) ─► slot free? (else EEXIST)
 *                     ─► device.create ─► fd in the VMM                            ('kvm' events)
 *  setAttr/getAttr/hasAttr(fd, group, attr) ─► device ─► {ret, errno}              ('kvm' events)
 *  enableCap(fd, vcpu, server), getOneReg/setOneReg(fd, vcpu, id)
 *  devices use: hostIntc() (the host XIVE, created on first use), hostPhys() (host physical
 *               MMIO: ESB pages, TIMA), memory() (EQ pages), zap(), markDirty()
 * </pre>
 *
 * <p>Device types come from {@link KvmDeviceProvider}s (found with ServiceLoader); a type the
 * host does not register fails with {@code ENODEV}, as {@code kvm_ioctl_create_device} answers
 * when {@code kvm_device_ops_table[type]} is empty.
 *
 * <p>Threading: the machine's thread only.
 */
public final class KvmVm {
    private final HostConfig config;
    private final List<VCpu> cpus;
    private final GuestMemory memory;
    private final Trace trace;
    private final HostStats stats;
    private final VmmProcess process;
    private final MemSlots memslots;
    private final MmioSpace hostPhys = new MmioSpace();
    private final List<KvmDeviceProvider> providers;
    private final Map<String, KvmDevice> slots = new HashMap<>();
    private final Map<KvmDevice, String> slotOf = new HashMap<>();
    private final Map<KvmDevice, Map<String, Long>> attrCounts = new HashMap<>();
    private final TreeSet<Long> dirty = new TreeSet<>();
    private HostInterruptController hostIntc;
    /** The sources the next in-kernel interrupt device is made with (a host-group restore's), or empty. */
    private List<io.pseries.core.host.pt.InKernelIrqchip.GuestSource> restoredSources = List.of();
    private final io.pseries.core.host.pt.PassthroughIrqMap pimap;
    private final io.pseries.core.host.pt.KvmIrqfds irqfds;

    KvmVm(HostConfig config, List<VCpu> cpus, GuestMemory memory, Trace trace, HostStats stats, VmmProcess process,
          MemSlots memslots, List<KvmDeviceProvider> providers, io.pseries.core.host.pt.PhysicalHost physical) {
        this.config = config;
        this.cpus = cpus;
        this.memory = memory;
        this.trace = trace;
        this.stats = stats;
        this.process = process;
        this.memslots = memslots;
        this.providers = providers;
        process.onRelease(this::released);
        this.pimap = new io.pseries.core.host.pt.PassthroughIrqMap(this::hostIntc, this::irqchip, physical, trace,
            stats.passthrough());
        this.irqfds = new io.pseries.core.host.pt.KvmIrqfds(process, pimap, physical.bypass(), trace, stats.passthrough());
    }

    /** The VM's pass-through interrupt map ({@code kvm->arch.pimap}). */
    public io.pseries.core.host.pt.PassthroughIrqMap passthrough() {
        return pimap;
    }

    /** The VM's irqfds and {@code KVM_IRQFD}. */
    public io.pseries.core.host.pt.KvmIrqfds irqfds() {
        return irqfds;
    }

    /** The in-kernel interrupt device KVM's generic code reaches ({@code kvm->arch.xive}), or {@code null}. */
    public io.pseries.core.host.pt.InKernelIrqchip irqchip() {
        for (KvmDevice d : slots.values()) {
            if (d instanceof io.pseries.core.host.pt.InKernelIrqchip c) {
                return c;
            }
        }
        return null;
    }

    /** The providers on the class path. */
    static List<KvmDeviceProvider> loadProviders() {
        List<KvmDeviceProvider> l = new ArrayList<>();
        ServiceLoader.load(KvmDeviceProvider.class).forEach(l::add);
        return l;
    }

    public HostConfig config() {
        return config;
    }

    public List<VCpu> cpus() {
        return cpus;
    }

    public GuestMemory memory() {
        return memory;
    }

    public Trace trace() {
        return trace;
    }

    public HostStats stats() {
        return stats;
    }

    public VmmProcess process() {
        return process;
    }

    public MemSlots memslots() {
        return memslots;
    }

    /** The host's physical MMIO space (pages a fault handler inserts live here). */
    public MmioSpace hostPhys() {
        return hostPhys;
    }

    /**
     * The host's interrupt controller, created on first use from the
     * {@link HostInterruptControllerProvider} on the class path; {@code null} when there is none.
     */
    public HostInterruptController hostIntc() {
        if (hostIntc == null) {
            for (HostInterruptControllerProvider p : ServiceLoader.load(HostInterruptControllerProvider.class)) {
                hostIntc = p.create(this);
                break;
            }
        }
        return hostIntc;
    }

    /**
     * A host-group checkpoint's restore, before the VM is restored: the in-kernel interrupt device
     * the restore makes takes {@code sources} ({@link #takeRestoredSources}), so that it holds the
     * IPIs the checkpoint's device held, the sources its VMM no longer claims included.
     */
    public void restoreSources(List<io.pseries.core.host.pt.InKernelIrqchip.GuestSource> sources) {
        restoredSources = List.copyOf(sources);
    }

    /**
     * For a device being made: the sources {@link #restoreSources} left for it (each to be made on
     * its IPI when that is free), once; empty when there are none.
     */
    public List<io.pseries.core.host.pt.InKernelIrqchip.GuestSource> takeRestoredSources() {
        List<io.pseries.core.host.pt.InKernelIrqchip.GuestSource> l = restoredSources;
        restoredSources = List.of();
        return l;
    }

    /** Whether the host kernel registers device {@code type}. */
    public boolean offers(int type) {
        return provider(type) != null;
    }

    private KvmDeviceProvider provider(int type) {
        for (KvmDeviceProvider p : providers) {
            if (p.type() == type && p.offeredBy(config)) {
                return p;
            }
        }
        return null;
    }

    /** KVM_CREATE_DEVICE: {@code ret} is the new fd, or {@code -ENODEV}, {@code -EEXIST} or the device's errno. */
    public KvmResult createDevice(int type) {
        KvmDeviceProvider p = provider(type);
        KvmResult r;
        if (p == null) {
            r = KvmResult.error(Errno.ENODEV);
        } else if (slots.containsKey(p.vmSlot())) {
            r = KvmResult.error(Errno.EEXIST);
        } else {
            try {
                KvmDevice d = p.create(this);
                slots.put(p.vmSlot(), d);
                slotOf.put(d, p.vmSlot());
                attrCounts.put(d, new LinkedHashMap<>());
                stats.deviceCreations++;
                r = new KvmResult(process.open(d), null, null);
            } catch (KvmException e) {
                r = KvmResult.error(e.errno());
            }
        }
        if (trace.on(TraceCategory.KVM)) {
            trace.emit(TraceCategory.KVM, -1, "create_device", "type", type, "typeName", KvmDeviceType.name(type),
                "ret", r.ret(), "errno", r.errno() == null ? null : r.errno().name());
        }
        return r;
    }

    private void released(KvmDevice d) {
        d.release();
        String s = slotOf.remove(d);
        if (s != null) {
            slots.remove(s);
        }
        attrCounts.remove(d);
        stats.deviceDestructions++;
        if (trace.on(TraceCategory.KVM)) {
            trace.emit(TraceCategory.KVM, -1, "destroy_device", "type", d.type(), "typeName", KvmDeviceType.name(d.type()));
        }
    }

    /** The live device occupying {@code type}'s slot, or {@code null}. */
    public KvmDevice deviceOfType(int type) {
        for (KvmDevice d : slots.values()) {
            if (d.type() == type) {
                return d;
            }
        }
        return null;
    }

    /** How many attribute calls each group of a device received ({@code "SOURCE" -> 4100}), in first-use order. */
    public Map<String, Long> attributeCounts(KvmDevice d) {
        Map<String, Long> m = attrCounts.get(d);
        return m == null ? Map.of() : new LinkedHashMap<>(m);
    }

    /** KVM_SET_DEVICE_ATTR. */
    public KvmResult setAttr(int fd, long group, long attr, long... data) {
        KvmDevice d = process.device(fd);
        KvmResult r = d == null ? KvmResult.error(Errno.EBADF) : d.setAttr(group, attr, data);
        record("set_attr", fd, d, group, attr, r);
        return r;
    }

    /** KVM_GET_DEVICE_ATTR: on success {@code data} holds what was copied out. */
    public KvmResult getAttr(int fd, long group, long attr) {
        KvmDevice d = process.device(fd);
        KvmResult r = d == null ? KvmResult.error(Errno.EBADF) : d.getAttr(group, attr);
        record("get_attr", fd, d, group, attr, r);
        return r;
    }

    /** KVM_HAS_DEVICE_ATTR. */
    public KvmResult hasAttr(int fd, long group, long attr) {
        KvmDevice d = process.device(fd);
        KvmResult r = d == null ? KvmResult.error(Errno.EBADF) : d.hasAttr(group, attr);
        record("has_attr", fd, d, group, attr, r);
        return r;
    }

    private void record(String call, int fd, KvmDevice d, long group, long attr, KvmResult r) {
        String g = d == null ? null : d.groupName(group);
        if (d != null && !"has_attr".equals(call)) {
            attrCounts.get(d).merge(g == null ? "group " + group : g, 1L, Long::sum);
        }
        if (trace.on(TraceCategory.KVM)) {
            trace.emit(TraceCategory.KVM, -1, call, "fd", fd, "group", group, "groupName", g, "attr", attr,
                "ret", r.ret(), "errno", r.errno() == null ? null : r.errno().name());
        }
    }

    /** KVM_ENABLE_CAP of the device's interrupt capability on a vCPU ({@code args = {fd, server}}). */
    public KvmResult enableCap(int fd, VCpu cpu, int server) {
        KvmDevice d = process.device(fd);
        KvmResult r = d == null ? KvmResult.error(Errno.EBADF) : d.connectVcpu(cpu, server);
        if (trace.on(TraceCategory.KVM)) {
            trace.emit(TraceCategory.KVM, cpu.index(), "connect_vcpu", "fd", fd, "server", server, "ret", r.ret(),
                "errno", r.errno() == null ? null : r.errno().name());
        }
        return r;
    }

    /** KVM_GET_ONE_REG on a vCPU, served by the VM's interrupt device behind {@code fd}. */
    public KvmResult getOneReg(int fd, VCpu cpu, long id) {
        KvmDevice d = process.device(fd);
        KvmResult r = d == null ? KvmResult.error(Errno.EBADF) : d.getOneReg(cpu, id);
        recordReg("get_one_reg", fd, cpu, id, r);
        return r;
    }

    /** KVM_SET_ONE_REG on a vCPU. */
    public KvmResult setOneReg(int fd, VCpu cpu, long id, long... value) {
        KvmDevice d = process.device(fd);
        KvmResult r = d == null ? KvmResult.error(Errno.EBADF) : d.setOneReg(cpu, id, value);
        recordReg("set_one_reg", fd, cpu, id, r);
        return r;
    }

    private void recordReg(String call, int fd, VCpu cpu, long id, KvmResult r) {
        if (trace.on(TraceCategory.KVM)) {
            trace.emit(TraceCategory.KVM, cpu.index(), call, "fd", fd, "id", id, "ret", r.ret(),
                "errno", r.errno() == null ? null : r.errno().name());
        }
    }

    /** A device zaps file pages of its own mappings (see {@link VmmProcess#zap}). */
    public long zap(KvmDevice file, long pgoff, long npages) {
        return process.zap(file, pgoff, npages);
    }

    /** {@code mark_page_dirty}: guest page {@code gpa} joins the dirty log. */
    public void markDirty(long gpa) {
        dirty.add(gpa & ~((long) GuestMemory.PAGE_SIZE - 1));
    }

    /** The dirty log: guest page addresses marked since the last {@link #clearDirty}. */
    public List<Long> dirtyPages() {
        return new ArrayList<>(dirty);
    }

    public void clearDirty() {
        dirty.clear();
    }
}
