package io.pseries.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;

import io.pseries.core.boot.ElfImage;
import io.pseries.core.boot.VofBoot;
import io.pseries.core.cas.CasHcall;
import io.pseries.core.cas.CasNegotiation;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.CpuThreads;
import io.pseries.core.cpu.CpuTopology;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.Device;
import io.pseries.core.dev.DeviceHost;
import io.pseries.core.dev.Devices;
import io.pseries.core.dev.EventSources;
import io.pseries.core.dev.VtyConsole;
import io.pseries.core.dev.pci.SpaprPhb;
import io.pseries.core.drc.DrcRtas;
import io.pseries.core.drc.DrcTable;
import io.pseries.core.dev.NvramRtas;
import io.pseries.core.dev.VioBusRtas;
import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Fdt;
import io.pseries.core.dt.PlatformTree;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestPlatform;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.host.AccessPath;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.Host;
import io.pseries.core.host.KernelIrqchip;
import io.pseries.core.hcall.HcallDispatch;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.intc.ControllerSet;
import io.pseries.core.intc.IcModes;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.intc.InterruptControllerProvider;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.IrqLines;
import io.pseries.core.irq.IrqSpace;
import io.pseries.core.irq.LineOwner;
import io.pseries.core.isa.Cpu;
import io.pseries.core.mem.AddressSpace;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.mem.MmioSpace;
import io.pseries.core.rtas.FirmwareNmi;
import io.pseries.core.rtas.PlatformRtas;
import io.pseries.core.rtas.SystemParameters;
import io.pseries.core.rtas.RtasDispatch;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.rtas.RtasTable;
import io.pseries.core.sched.Scheduler;
import io.pseries.core.snapshot.MachineSections;
import io.pseries.core.snapshot.MachineSnapshot;
import io.pseries.core.snapshot.SnapshotSection;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * A POWER9 pseries (sPAPR) virtual machine: the composition root that creates and wires the
 * platform's pieces and exposes the guest ABI. The raw ABI methods ({@link #hcall},
 * {@link #rtas}, {@link #load}, {@link #store}, {@link #cas}) are exactly what a guest can do.
 *
 * <pre>
 *  guest ABI ── load/store ──► AddressSpace (RAM, then MMIO regions)
 *            ── hcall ───────► HcallDispatch ──► HcallTable (machine, controllers)
 *            ── RTAS ────────► RtasDispatch ──► RtasTable (PlatformRtas, controllers, PHB)
 *            ── CAS ─────────► CasNegotiation ──► ControllerSet.updateActive
 *  device line ──► IrqLines ──► ControllerSet (active backend) ──► VCpu input ──► GuestOs
 *  deviceTree() ──► PlatformTree (+ devices, + the active controller's node)
 *  every access ──► Host: a device page mapped into the guest serves it directly (no exit);
 *                   otherwise it is an exit (to the VMM, or served in the kernel), charged its cost
 * </pre>
 *
 * <p>The machine runs on a simulated host ({@link #host()}): a KVM VM in a VMM process. With
 * {@code kernelIrqchip: 'off'} every interrupt-controller access exits to the VMM; with
 * {@code 'on'}/{@code 'allowed'} the active controller is connected to its in-kernel device at
 * every switch ({@link KernelIrqchip}), and its ESB and TIMA pages are mapped into the guest.
 *
 * <p>Controllers see the machine as an {@link IntcHost}, devices as a {@link DeviceHost}, the
 * guest model as a {@link GuestPlatform}; none of them depends on this class. Creation order is
 * QEMU's: interrupt controllers (XIVE claims its IPI numbers), vCPUs, devices, then a reset.
 *
 * <p>Threading: a machine is confined to one thread (the script's). Nothing here locks.
 */
public final class Machine implements IntcHost, DeviceHost, GuestPlatform {

    /** Default bound of {@link #runUntilIdle()}. */
    public static final long IDLE_EVENT_LIMIT = 10_000_000L;

    private final MachineConfig config;
    private final Scheduler scheduler = new Scheduler();
    private final Trace trace = new Trace(scheduler::now);
    private final GuestMemory memory;
    private final MmioSpace mmio = new MmioSpace();
    private final AddressSpace addressSpace;
    private final HcallDispatch hcalls;
    private final RtasDispatch rtas;
    private final PlatformRtas platformRtas;
    private final List<VCpu> cpus = new ArrayList<>();
    private final List<VCpu> cpusView = Collections.unmodifiableList(cpus);
    private final CpuTopology topology;
    private final VCpu[] cpuByVcpuId;
    private final IrqLines lines;
    private final ControllerSet controllers;
    private final CasNegotiation casNegotiation;
    private final List<Device> devices = new ArrayList<>();
    private final EventSources eventSources = new EventSources();
    private final SpaprPhb phb = new SpaprPhb(0);
    /** The OpenCAPI RFC's hcalls, when {@code experimental} enables them; else null. */
    private io.pseries.core.dev.pci.OcapiRfcHcalls ocapi;
    private final PlatformTree tree;
    private final DrcTable drcs = new DrcTable();
    private final NvramRtas nvram;
    private final FirmwareNmi fwnmi = new FirmwareNmi();
    private final Host host;
    private final KernelIrqchip kernelIrqchip;
    /** QEMU's run state: false while stopped (a snapshot being taken or restored, a migrated-away source). */
    private boolean running = true;
    private String stopReason;
    /** Cost in ns of the exit the last guest access took (0: served without one). */
    private long lastExitNs;
    private final VtyConsole vty = new VtyConsole(Collections.unmodifiableList(devices));
    private final CpuThreads threads;
    /** Why the machine stopped as QEMU would exit (a fatal CAS refusal), or null. */
    private String fatalError;
    private GuestOs guest;
    private long resets;
    private final List<String> warnings = new ArrayList<>();

    /** Creates a machine with every interrupt-controller plugin found on the class path. */
    public static Machine create(MachineConfig config) {
        return create(config, null);
    }

    /**
     * Creates a machine on a physical host other machines may share ({@code null}: a private
     * host made from {@code config.host()}); the host's configuration replaces the machine's.
     */
    public static Machine create(MachineConfig config, io.pseries.core.host.pt.PhysicalHost physical) {
        List<InterruptControllerProvider> providers = new ArrayList<>();
        ServiceLoader.load(InterruptControllerProvider.class, Machine.class.getClassLoader()).forEach(providers::add);
        return new Machine(config, providers, physical);
    }

    /** The interrupt-controller modes available with the plugins on the class path. */
    public static List<String> availableIcModes() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(InterruptControllerProvider.class, Machine.class.getClassLoader()).forEach(p -> names.add(p.name()));
        return IcModes.available(names);
    }

    /** Creates a machine with the given providers (tests use this to pick plugins). */
    public Machine(MachineConfig config, List<InterruptControllerProvider> providers) {
        this(config, providers, null);
    }

    /** On a shared physical host ({@code null}: a private one). */
    public Machine(MachineConfig config, List<InterruptControllerProvider> providers,
                   io.pseries.core.host.pt.PhysicalHost physical) {
        if (physical != null) {
            config = config.withHost(physical.config());
        }
        this.config = config;
        this.memory = new GuestMemory(config.memory());
        this.topology = config.topology();
        // QEMU's spapr_irq_check: a KVM host without XIVE turns ic-mode=dual into XICS only, so the
        // in-kernel XICS is used rather than an emulated XIVE
        String icMode = "dual".equals(config.icMode()) && !config.host().xive() ? "xics" : config.icMode();
        List<InterruptControllerProvider> chosen = IcModes.choose(config.icMode(), providers);
        if (!icMode.equals(config.icMode())) {
            chosen = IcModes.choose(icMode, providers);
        }

        addressSpace = new AddressSpace(memory, mmio, trace);
        hcalls = new HcallDispatch(new HcallTable(), trace);
        rtas = new RtasDispatch(new RtasTable(), memory, trace);
        platformRtas = new PlatformRtas(scheduler, this::cpuByVcpuId, this::reset, vty::put);
        controllers = new ControllerSet(cpusView, this::raisedLines);
        lines = new IrqLines(new IrqSpace(config.nrIrqs()), controllers, trace);
        casNegotiation = new CasNegotiation(controllers, cpusView, trace);

        rtas.registerHcall(hcalls.table());
        platformRtas.register(rtas.table());
        new SystemParameters(memory, config.cpus(), config.cpus()).register(rtas.table());
        fwnmi.register(rtas.table());
        nvram = new NvramRtas(memory);
        nvram.register(rtas.table());
        new VioBusRtas(Collections.unmodifiableList(devices)).register(rtas.table());
        new DrcRtas(drcs, memory).register(rtas.table());
        vty.register(hcalls.table());
        new CasHcall(memory, this::cas, this::fdt, msg -> fatalError = msg).register(hcalls.table());

        // interrupt controllers first (XIVE claims its IPI numbers here), then vCPUs, then devices
        for (InterruptControllerProvider p : chosen) {
            controllers.add(p.create(this));
        }
        cpuByVcpuId = new VCpu[topology.nrServers()];
        for (int i = 0; i < config.cpus(); i++) {
            VCpu c = new VCpu(i, topology.vcpuId(i));
            cpus.add(c);
            cpuByVcpuId[c.vcpuId()] = c;
            controllers.cpuCreated(c);
        }
        host = physical == null ? new Host(config.host(), cpusView, memory, trace)
            : new Host(physical, cpusView, memory, trace);
        kernelIrqchip = new KernelIrqchip(config.kernelIrqchip(), host, warnings);
        controllers.setSwitchHook(kernelIrqchip);
        devices.add(eventSources);
        devices.add(phb);
        devices.addAll(Devices.create(config.devices(), phb, host.physical()));
        for (Device d : devices) {
            d.realize(this);
        }
        drcs.addMachineConnectors(cpus, topology, phb);
        phb.attachDrcs(drcs);
        if (config.platform().has("ocapi-rfc-2019")) {
            ocapi = new io.pseries.core.dev.pci.OcapiRfcHcalls(phb, this);
            ocapi.register(hcalls.table());
        }
        threads = new CpuThreads(scheduler, addressSpace, hcalls, trace, cpusView, this::haltReason);
        platformRtas.setCpuStarter(threads::start);
        threads.register(hcalls.table());
        tree = new PlatformTree(memory, cpusView, rtas.table(), controllers, casNegotiation,
            Collections.unmodifiableList(devices), eventSources, phb, drcs, topology, config.seed());
        tree.setDtcClean(config.platform().dtcClean());
        tree.setVof(config.platform().xVof());
        reset();
        resets = 0;
    }

    // ------------------------------------------------------------------ the pieces

    /** The DR connectors (CPU, PHB and PCI slots). */
    public DrcTable drcs() {
        return drcs;
    }

    /** The machine NVRAM's contents and calls. */
    public NvramRtas nvram() {
        return nvram;
    }

    /** The FWNMI registration (ibm,nmi-register). */
    public FirmwareNmi firmwareNmi() {
        return fwnmi;
    }

    /** The simulated host: its KVM VM and devices, the VMM's mappings, memory slots and counters. */
    public Host host() {
        return host;
    }

    /** The guest-physical load/store dispatch. */
    public AddressSpace addressSpace() {
        return addressSpace;
    }

    /** The hcall entry point. */
    public HcallDispatch hcallDispatch() {
        return hcalls;
    }

    /** The RTAS entry point (by name, by token, KVMPPC_H_RTAS). */
    public RtasDispatch rtasDispatch() {
        return rtas;
    }

    /** The platform's own RTAS calls and the state they leave. */
    public PlatformRtas platformRtas() {
        return platformRtas;
    }

    /** The interrupt-controller backends and the active one. */
    public ControllerSet controllerSet() {
        return controllers;
    }

    /** The device interrupt lines. */
    public IrqLines irqLines() {
        return lines;
    }

    /** CAS and its outcome. */
    public CasNegotiation casNegotiation() {
        return casNegotiation;
    }

    /** The platform device-tree writer. */
    public PlatformTree platformTree() {
        return tree;
    }

    // ------------------------------------------------------------------ accessors

    @Override
    public MachineConfig config() {
        return config;
    }

    @Override
    public List<VCpu> cpus() {
        return cpusView;
    }

    /** The vCPU with this index; a clear error when there is none. */
    @Override
    public VCpu cpu(long index) {
        if (index < 0 || index >= cpus.size()) {
            throw new IllegalArgumentException("cpu " + index + " does not exist: the machine has "
                + cpus.size() + " vCPU" + (cpus.size() == 1 ? " (0)" : "s (0.." + (cpus.size() - 1) + ")"));
        }
        return cpus.get((int) index);
    }

    @Override
    public VCpu cpuByVcpuId(long vcpuId) {
        return vcpuId >= 0 && vcpuId < cpuByVcpuId.length ? cpuByVcpuId[(int) vcpuId] : null;
    }

    @Override
    public int nrServers() {
        return topology.nrServers();
    }

    /** How the vCPUs are grouped in cores and numbered. */
    public CpuTopology topology() {
        return topology;
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public MmioSpace mmio() {
        return mmio;
    }

    @Override
    public HcallTable hcalls() {
        return hcalls.table();
    }

    @Override
    public RtasTable rtas() {
        return rtas.table();
    }

    @Override
    public Trace trace() {
        return trace;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public IrqSpace irqSpace() {
        return lines.space();
    }

    @Override
    public long now() {
        return scheduler.now();
    }

    @Override
    public OptionVector ov5Cas() {
        return casNegotiation.negotiated();
    }

    /** The machine's own option vector 5 (what it can negotiate). */
    public OptionVector ov5() {
        return casNegotiation.platform();
    }

    @Override
    public boolean isActive(InterruptController c) {
        return controllers.isActive(c);
    }

    /** The active controller's name: what {@code m.icMode} reports. */
    public String icMode() {
        return controllers.active().name();
    }

    public InterruptController activeController() {
        return controllers.active();
    }

    /** Every controller of the machine (two in dual mode), legacy first. */
    public List<InterruptController> controllers() {
        return controllers.all();
    }

    /** The controller with this name, or null. */
    public InterruptController controller(String name) {
        return controllers.byName(name);
    }

    public List<Device> devices() {
        return Collections.unmodifiableList(devices);
    }

    public EventSources eventSources() {
        return eventSources;
    }

    /** The PCI host bridge (QEMU's default PHB, always present). */
    public SpaprPhb phb() {
        return phb;
    }

    /** The OpenCAPI RFC's hcalls and the AFU interrupts the VMM holds, or {@code null} when not enabled. */
    public io.pseries.core.dev.pci.OcapiRfcHcalls ocapi() {
        return ocapi;
    }

    /** Warnings from machine creation, as QEMU would print them. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** Adds a warning (as QEMU prints one and goes on). */
    public void warn(String message) {
        warnings.add(message);
    }

    /** What the guest printed on its console (H_PUT_TERM_CHAR and RTAS display-character). */
    public String console() {
        return vty.text();
    }

    /** The console device (output listener, input for H_GET_TERM_CHAR). */
    public VtyConsole vty() {
        return vty;
    }

    /** The interpreting vCPUs (idle until {@link #loadElf} loads guest code). */
    public CpuThreads cpuThreads() {
        return threads;
    }

    /** The interpreter of vCPU {@code index}. */
    public Cpu interpreter(long index) {
        return threads.cpu(cpu(index).index());
    }

    /** Why guest code cannot go on: "power-off", a fatal error as QEMU would exit with it, or null. */
    public String haltReason() {
        if (platformRtas.poweredOff()) {
            return "power-off";
        }
        return fatalError;
    }

    /**
     * Loads an ELF payload as QEMU's pseries with {@code x-vof=on -kernel} does ({@link VofBoot}),
     * puts the boot CPU in VOF's entry state and lets the vCPUs run guest code from then on.
     */
    public VofBoot.Loaded loadElf(byte[] elf) {
        VofBoot.Loaded l = VofBoot.load(memory, ElfImage.parse(elf));
        VofBoot.enter(threads.cpu(0), l);
        threads.enable();
        return l;
    }

    /** Runs guest code until power-off, a fatal error, every vCPU stopped, or {@code timeoutNs} more virtual time. */
    public CpuThreads.Outcome runGuest(long timeoutNs) {
        return threads.runUntil(Math.addExact(scheduler.now(), timeoutNs), () -> false);
    }

    public boolean poweredOff() {
        return platformRtas.poweredOff();
    }

    /** The message of the guest's ibm,os-term call, or null. */
    public String osTerm() {
        return platformRtas.osTerm();
    }

    /** How many times the machine was reset since creation. */
    public long resetCount() {
        return resets;
    }

    // ------------------------------------------------------------------ interrupt lines

    /**
     * Claims a device interrupt number in every controller and returns its line. Throws with
     * QEMU's wording when the number is outside [0x1000, nrIrqs) or already claimed.
     */
    @Override
    public IrqLine claimIrq(int irq, boolean lsi, String driver) {
        return lines.claim(irq, lsi, driver);
    }

    /** Releases a claimed number in every controller. */
    @Override
    public void freeIrq(int irq) {
        lines.free(irq);
    }

    /** Records which device handles the guest side of an interrupt (for deassert on handling). */
    @Override
    public void setLineOwner(int irq, LineOwner owner) {
        lines.setOwner(irq, owner);
    }

    /** The owner of a line (the one recorded, else the device whose lines include it), or null. */
    public LineOwner lineOwner(int irq) {
        LineOwner o = lines.owner(irq);
        if (o != null) {
            return o;
        }
        for (Device dev : devices) {
            for (IrqLine l : dev.lines()) {
                if (l.irq() == irq) {
                    return dev;
                }
            }
        }
        return null;
    }

    @Override
    public void guestHandled(int irq) {
        LineOwner owner = lineOwner(irq);
        if (owner != null) {
            owner.guestHandled(irq);
        }
    }

    /** The line of a claimed interrupt; a clear error otherwise. */
    @Override
    public IrqLine irq(long n) {
        return lines.line(n);
    }

    /** Every claimed line, by number. */
    public Map<Integer, IrqLine> lines() {
        return lines.all();
    }

    @Override
    public int[] raisedLines() {
        return lines.raised();
    }

    // ------------------------------------------------------------------ guest ABI

    /** Performs an hcall on behalf of {@code cpu} with R4.. = {@code args}; traced. */
    @Override
    public HcallResult hcall(int cpu, long opcode, long... args) {
        requireRunning("hcall");
        VCpu c = cpu(cpu);
        chargeHcall(opcode, args.length > 0 ? args[0] : 0);
        return hcalls.call(c, opcode, args);
    }

    /**
     * The allocation-free hcall path used by the guest model: {@code regs} carries R4.. in and
     * the outputs out. Not traced here (the caller traces when tracing is on).
     */
    @Override
    public long hcall(VCpu cpu, long opcode, long[] regs) {
        chargeHcall(opcode, regs.length > 0 ? regs[0] : 0);
        return hcalls.dispatch(cpu, opcode, regs);
    }

    /** Classifies an hcall (KVMPPC_H_RTAS counts as an RTAS call) and charges its exit. */
    private void chargeHcall(long opcode, long r4) {
        InterruptController a = controllers.active();
        boolean inKernel = a != null && a.inKernel();
        if (opcode == Hcalls.KVMPPC_H_RTAS) {
            String name = null;
            if (inKernel && memory.contains(r4, 4)) {
                RtasTable.Entry e = rtas.table().lookup(memory.read32(r4));
                name = e == null ? null : e.name();
            }
            chargeRtas(name);
            return;
        }
        lastExitNs = host.charge(ExitKind.HCALL, inKernel && a.kernelServesHcall(opcode) ? AccessPath.KERNEL
            : AccessPath.VMM_EXIT);
    }

    private void chargeRtas(String name) {
        InterruptController a = controllers.active();
        boolean kernel = name != null && a != null && a.inKernel() && a.kernelServesRtas(name);
        lastExitNs = host.charge(ExitKind.RTAS, kernel ? AccessPath.KERNEL : AccessPath.VMM_EXIT);
    }

    /**
     * The cost in ns of the exit the last guest access (hcall, RTAS call, load or store) took:
     * the VMM exit, the in-kernel round trip, a host page fault, or 0 for a direct or RAM access.
     */
    @Override
    public long lastExitNs() {
        return lastExitNs;
    }

    /** The opcode for an hcall name such as {@code "H_INT_ESB"}, with a suggestion when misspelled. */
    public int hcallOpcode(String name) {
        return hcalls.opcode(name);
    }

    /**
     * Performs an RTAS call by name on behalf of {@code cpu}. {@code nret} is the number of output
     * words the caller reserved, status included (negative: the call's usual count).
     */
    @Override
    public RtasResult rtas(int cpu, String name, int[] args, int nret) {
        RtasTable.Entry e = rtas.entry(name);
        VCpu c = cpu(cpu);
        chargeRtas(name);
        return rtas.call(c, e, args, nret);
    }

    /** Performs an RTAS call by token, as the guest's RTAS entry point does. */
    public RtasResult rtasByToken(VCpu cpu, int token, int[] args, int nret) {
        RtasTable.Entry e = rtas.table().lookup(token);
        chargeRtas(e == null ? null : e.name());
        return rtas.callByToken(cpu, token, args, nret);
    }

    /** A load of 1, 2, 4 or 8 bytes at a guest physical address, on behalf of {@code cpu}. */
    public long load(int cpu, long addr, int size) {
        requireRunning("load");
        AddressSpace.checkSize(size);
        return load(cpu(cpu), addr, size);
    }

    /** A store of 1, 2, 4 or 8 bytes at a guest physical address, on behalf of {@code cpu}. */
    public void store(int cpu, long addr, int size, long value) {
        requireRunning("store");
        AddressSpace.checkSize(size);
        store(cpu(cpu), addr, size, value);
    }

    /** The load path (size already checked). */
    @Override
    public long load(VCpu cpu, long addr, int size) {
        if (addressSpace.inRam(addr, size)) {
            lastExitNs = 0;
            return memory.read(addr, size);
        }
        if (host.memslots().count() > 1) {
            long v = host.access(cpu, addr, size, false, 0);
            if (host.lastOutcome() != Host.NOT_MAPPED) {
                return direct(cpu, addr, size, false, v);
            }
        }
        lastExitNs = host.chargeMmioExit();
        return addressSpace.mmioLoad(cpu, addr, size);
    }

    /** The store path (size already checked). */
    @Override
    public void store(VCpu cpu, long addr, int size, long value) {
        if (addressSpace.inRam(addr, size)) {
            lastExitNs = 0;
            memory.write(addr, size, value);
            return;
        }
        if (host.memslots().count() > 1) {
            host.access(cpu, addr, size, true, value);
            if (host.lastOutcome() != Host.NOT_MAPPED) {
                direct(cpu, addr, size, true, value);
                return;
            }
        }
        lastExitNs = host.chargeMmioExit();
        addressSpace.mmioStore(cpu, addr, size, value);
    }

    /** Accounts an access a mapped device page served (its fault, if any, was charged by the host). */
    private long direct(VCpu cpu, long addr, int size, boolean write, long v) {
        lastExitNs = host.charge(ExitKind.MMIO, AccessPath.DIRECT) + (host.lastFaulted() ? config.host().costs().faultNs() : 0);
        if (host.lastOutcome() == Host.SIGBUS) {
            // QEMU's KVM_RUN fails ("kvm run failed Bad address"); the model answers as unassigned memory
            trace.guestError(cpu.index(), String.format("%s at 0x%x: the host page fault raised SIGBUS",
                write ? "store" : "load", addr), "addr", addr, "size", size);
            return write ? 0 : AddressSpace.allOnes(size);
        }
        if (trace.on(TraceCategory.MMIO)) {
            // named by the guest-physical region the page belongs to, as an emulated access is
            io.pseries.core.mem.MmioRegion r = addressSpace.mmio().lookup(addr, size);
            trace.emit(TraceCategory.MMIO, cpu.index(), write ? "store" : "load", "region", r != null ? r.name() : "",
                "addr", addr, "size", size, "value", v, "path", "direct");
        }
        return size < 8 ? v & AddressSpace.allOnes(size) : v;
    }

    /** The byte 23 this platform advertises: 0x80 both, 0x40 XIVE only, 0x00 XICS only. */
    public int platformInterruptModes() {
        return casNegotiation.platformInterruptModes();
    }

    /**
     * ibm,client-architecture-support from the boot CPU, with the guest's option vector 5
     * ({@code null}: the guest sent none); see {@link CasNegotiation#negotiate}.
     */
    @Override
    public CasResult cas(OptionVector guestOv5) {
        return casNegotiation.negotiate(guestOv5);
    }

    /** CAS with the guest's option vector 1, PVR list and option vector 5 (see {@link CasNegotiation}). */
    public CasResult cas(OptionVector guestOv1, io.pseries.core.cas.PvrList pvrs, OptionVector guestOv5) {
        return casNegotiation.negotiate(guestOv1, pvrs, guestOv5);
    }

    // ------------------------------------------------------------------ device tree

    public void setDtcClean(boolean clean) {
        tree.setDtcClean(clean);
    }

    /** Whether interrupt providers get {@code #address-cells = <0>} (see {@link PlatformTree#setDtcClean}). */
    public boolean dtcClean() {
        return tree.dtcClean();
    }

    /** The device tree as QEMU would hand it to the guest now (pre-CAS or post-CAS). */
    @Override
    public DtNode deviceTree() {
        return tree.build();
    }

    /** The current device tree as a flattened blob (what {@code m.fdt()} returns). */
    public byte[] fdt() {
        return Fdt.write(deviceTree(), 0);
    }

    // ------------------------------------------------------------------ state, time, reset

    /** The active controller's state as plain data. */
    public Map<String, Object> pic() {
        return controllers.active().pic();
    }

    /**
     * Machine reset (QEMU's spapr_machine_reset): forgets the CAS outcome, makes the legacy
     * controller active again in dual mode, resets controllers, devices and CPUs (only the boot
     * CPU runs), drops pending events and the guest model. Virtual time keeps running, as QEMU's
     * clock does; RAM content survives.
     */
    public void reset() {
        resets++;
        casNegotiation.reset();
        if (ocapi != null) {
            ocapi.reset();
        }
        for (Device d : devices) {
            d.reset();
        }
        for (VCpu c : cpus) {
            c.reset();
        }
        // controllers reset first, then the active one is chosen (QEMU resets devices, then switches)
        controllers.reset();
        controllers.updateActive(casNegotiation.negotiated());
        scheduler.dropPending();
        memory.resetAllocator();
        platformRtas.reset();
        drcs.reset();
        fwnmi.reset();
        threads.reset();
        fatalError = null;
        if (guest != null) {
            guest.detach();
            guest = null;
        }
    }

    /** Advances virtual time by {@code ns}, firing what falls due. Returns the events fired. */
    public long run(long ns) {
        requireRunning("run");
        if (ns < 0) {
            throw new IllegalArgumentException("run: ns must be >= 0, got " + ns);
        }
        if (threads.enabled()) {
            long fired = scheduler.firedCount();
            long until = Math.addExact(scheduler.now(), ns);
            threads.runUntil(until, () -> false);
            scheduler.runUntil(until);
            return scheduler.firedCount() - fired;
        }
        return scheduler.runUntil(scheduler.now() + ns);
    }

    /** Fires events until none is pending. */
    public long runUntilIdle() {
        requireRunning("runUntilIdle");
        return scheduler.runUntilIdle(IDLE_EVENT_LIMIT);
    }

    // ------------------------------------------------------------------ guest model

    /** The guest model once booted, or null. */
    public GuestOs guest() {
        return guest;
    }

    /** Boots the Linux-like guest model; see {@link GuestOs}. */
    public GuestOs.BootReport boot(GuestOs.BootOptions options) {
        if (guest != null) {
            throw new IllegalStateException("the guest is already booted; reset the machine (m.reset()) to boot again");
        }
        GuestOs g = new GuestOs(this, options);
        guest = g;
        try {
            return g.boot();
        } catch (RuntimeException e) {
            guest = null;
            g.detach();
            throw e;
        }
    }

    /** Installs the guest model a snapshot restored (its section's commit, after {@link #beginRestore}). */
    public void restoreGuest(GuestOs g) {
        if (guest != null) {
            guest.detach();
        }
        guest = g;
    }

    // ------------------------------------------------------------------ snapshots

    /** The named, versioned sections of this machine's state (see {@link MachineSections}). */
    public List<SnapshotSection> snapshotSections() {
        return MachineSections.of(this);
    }

    /** This machine's state as a snapshot stream (refused at non-quiescent points; see {@link MachineSnapshot}). */
    public byte[] snapshot() {
        return MachineSnapshot.save(this);
    }

    /**
     * Restores a stream of a machine of the same configuration (its {@code kernelIrqchip} may
     * differ: the state is the same), or refuses it leaving this machine unchanged; the
     * machine then runs (QEMU's loadvm, then cont).
     */
    public void restore(byte[] stream) {
        MachineSnapshot.restore(this, stream);
        cont();
    }

    /**
     * An incoming migration: the stream restored as {@link #restore} does, the machine left
     * stopped (the in-kernel device fed, the saved PQs not yet given back) until {@link #cont}.
     */
    public void restoreIncoming(byte[] stream) {
        MachineSnapshot.restore(this, stream);
    }

    // ------------------------------------------------------------------ run state

    /** Whether the vCPUs run (QEMU's run state); false between {@link #stop} and {@link #cont}. */
    public boolean running() {
        return running;
    }

    /**
     * Stops the VM (QEMU's vm_stop): the vCPUs leave the guest, then every controller served by
     * the kernel runs its stop handler (passthrough-facts section 5.1). Virtual time, guest
     * accesses and hcalls are refused until {@link #cont}. {@code why} is what they say.
     */
    public void stop(String why) {
        if (!running) {
            return;
        }
        running = false;
        stopReason = why;
        for (InterruptController c : controllers.all()) {
            if (c.inKernel()) {
                c.kernelVmStopped();
            }
        }
    }

    /** Resumes the VM (QEMU's vm_start): the controllers' run handlers, then the vCPUs re-enter. */
    public void cont() {
        if (running) {
            return;
        }
        for (InterruptController c : controllers.all()) {
            if (c.inKernel()) {
                c.kernelVmRunning();
            }
        }
        running = true;
        stopReason = null;
    }

    /** Why the machine is stopped (what {@link #stop} was told), or null while it runs. */
    public String stopReason() {
        return running ? null : stopReason;
    }

    /**
     * A stopped machine keeps {@code why} as its reason: a checkpoint of a stopped machine (one
     * pseries.migrate moved away) leaves its replacement stopped for the same reason, so its
     * refused calls say the same. Throws if the machine runs.
     */
    public void stayStopped(String why) {
        if (running) {
            throw new IllegalStateException("stayStopped: the machine runs");
        }
        stopReason = why;
    }

    private void requireRunning(String what) {
        if (!running) {
            throw new IllegalStateException(what + ": the machine is stopped (" + stopReason + ")");
        }
    }

    /**
     * After a restore's sections were committed (QEMU's spapr_irq_post_load): the in-kernel
     * device is made again for the restored active controller (every connected one
     * disconnected, then the active one connected under this machine's {@code kernelIrqchip},
     * which pushes what the controller holds, pass-through links re-armed), then fed the state
     * only the kernel keeps (the controller's post_load). The VM stays stopped. Returns
     * {@code null} or what the device refused.
     */
    public String kernelPostLoad() {
        boolean any = false;
        for (InterruptController c : controllers.all()) {
            if (c.inKernel()) {
                kernelIrqchip.deactivated(c);
                any = true;
            }
        }
        if (!any && "off".equals(kernelIrqchip.mode())) {
            return null;
        }
        InterruptController a = controllers.active();
        kernelIrqchip.activating(a);
        return a.inKernel() ? a.kernelPostLoad() : null;
    }

    /**
     * Called by restore once the whole stream validated, before the sections commit: the VM
     * stops, what the stream replaces goes (pending events, the guest model), and the vCPU
     * inputs drop so the controllers can re-derive them.
     */
    public void beginRestore() {
        stop("a snapshot is being restored");
        if (ocapi != null) {
            io.pseries.core.dev.pci.OcapiState.restoreBegin(ocapi);
        }
        scheduler.dropPending();
        if (guest != null) {
            guest.detach();
            guest = null;
        }
        for (VCpu c : cpus) {
            c.setOsInterrupt(false);
            c.setHvInterrupt(false);
        }
    }

    /** Restores the reset counter of a snapshot. */
    public void restoreResetCount(long count) {
        resets = count;
    }

    /** Subscribes to trace events of a category; returns the unsubscribe action. */
    public Runnable on(TraceCategory c, Consumer<TraceEvent> l) {
        return trace.subscribe(c, l);
    }

    /** A short description of the machine as plain data. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", cpus.size());
        m.put("icMode", config.icMode());
        m.put("active", controllers.active().name());
        m.put("memory", memory.size());
        List<Object> devs = new ArrayList<>();
        for (Device d : devices) {
            devs.add(d.info());
        }
        m.put("devices", devs);
        m.put("warnings", new ArrayList<>(warnings));
        return m;
    }
}
