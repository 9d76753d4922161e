package io.pseries.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;

import io.pseries.core.boot.GuestLoader;
import io.pseries.core.boot.VofBoot;
import io.pseries.core.cas.CasHcall;
import io.pseries.core.cas.CasNegotiation;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.CpuSet;
import io.pseries.core.cpu.CpuThreads;
import io.pseries.core.cpu.CpuTopology;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.Device;
import io.pseries.core.dev.DeviceHost;
import io.pseries.core.dev.PlatformDevices;
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
import io.pseries.core.host.RunState;
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
import io.pseries.core.parallel.ParallelIpis;
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
 * <p>What this class does itself is the wiring, the guest's access path (a load or store goes to
 * RAM, a mapped device page or an MMIO exit; an hcall or RTAS call is charged the exit it takes),
 * kept here so the hot path has no further hop, and the machine reset's order. The rest is
 * delegated to the pieces: the vCPUs ({@link CpuSet}), the devices ({@link PlatformDevices}),
 * the VM's run state ({@link RunState}), how a guest gets onto it ({@link GuestLoader}), the in-kernel
 * irqchip option ({@link KernelIrqchip}).
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
    private final CpuSet cpus;
    private final List<VCpu> cpusView;
    private final IrqLines lines;
    private final ControllerSet controllers;
    private final CasNegotiation casNegotiation;
    private final PlatformDevices devices = new PlatformDevices();
    private final EventSources eventSources = devices.eventSources();
    private final SpaprPhb phb = devices.phb();
    /** The OpenCAPI RFC's hcalls, when {@code experimental} enables them; else null. */
    private io.pseries.core.dev.pci.OcapiRfcHcalls ocapi;
    private final PlatformTree tree;
    private final DrcTable drcs = new DrcTable();
    private final NvramRtas nvram;
    private final FirmwareNmi fwnmi = new FirmwareNmi();
    private final Host host;
    private final KernelIrqchip kernelIrqchip;
    private final RunState runState;
    /** Cost in ns of the exit the last guest access took (0: served without one). */
    private long lastExitNs;
    private ParallelIpis parallelIpis;
    private final VtyConsole vty = devices.vty();
    private final CpuThreads threads;
    /** Why the machine stopped as QEMU would exit (a fatal CAS refusal), or null. */
    private String fatalError;
    private final GuestLoader loader;
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
        this.cpus = new CpuSet(config.topology());
        this.cpusView = cpus.all();
        List<InterruptControllerProvider> chosen = IcModes.chooseOnHost(config.icMode(), config.host().xive(), providers);

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
        new VioBusRtas(devices.all()).register(rtas.table());
        new DrcRtas(drcs, memory).register(rtas.table());
        vty.register(hcalls.table());
        new CasHcall(memory, this::cas, this::fdt, msg -> fatalError = msg).register(hcalls.table());

        // interrupt controllers first (XIVE claims its IPI numbers here), then vCPUs, then devices
        for (InterruptControllerProvider p : chosen) {
            controllers.add(p.create(this));
        }
        cpus.create(config.cpus(), controllers::cpuCreated);
        host = physical == null ? new Host(config.host(), cpusView, memory, trace)
            : new Host(physical, cpusView, memory, trace);
        kernelIrqchip = new KernelIrqchip(config.kernelIrqchip(), host, warnings);
        controllers.setSwitchHook(kernelIrqchip);
        runState = new RunState(controllers);
        devices.create(config.devices(), this);
        drcs.addMachineConnectors(cpusView, cpus.topology(), phb);
        phb.attachDrcs(drcs);
        if (config.platform().has("ocapi-rfc-2019")) {
            ocapi = new io.pseries.core.dev.pci.OcapiRfcHcalls(phb, this);
            ocapi.register(hcalls.table());
        }
        threads = new CpuThreads(scheduler, addressSpace, hcalls, trace, cpusView, this::haltReason);
        platformRtas.setCpuStarter(threads::start);
        threads.register(hcalls.table());
        loader = new GuestLoader(this, threads, memory, scheduler);
        tree = new PlatformTree(memory, cpusView, rtas.table(), controllers, casNegotiation,
            devices.all(), eventSources, phb, drcs, cpus.topology(), config.seed());
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
        return cpus.get(index);
    }

    @Override
    public VCpu cpuByVcpuId(long vcpuId) {
        return cpus.byVcpuId(vcpuId);
    }

    @Override
    public int nrServers() {
        return cpus.topology().nrServers();
    }

    /** How the vCPUs are grouped in cores and numbered. */
    public CpuTopology topology() {
        return cpus.topology();
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
        return devices.all();
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

    /** Loads an ELF payload as {@code x-vof=on -kernel} does; see {@link GuestLoader#loadElf}. */
    public VofBoot.Loaded loadElf(byte[] elf) {
        return loader.loadElf(elf);
    }

    /** Runs guest code until power-off, a fatal error, every vCPU stopped, or {@code timeoutNs} more virtual time. */
    public CpuThreads.Outcome runGuest(long timeoutNs) {
        return loader.runGuest(timeoutNs);
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
        return o != null ? o : devices.ownerOf(irq);
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
        runState.require("hcall");
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
        runState.require("load");
        AddressSpace.checkSize(size);
        return load(cpu(cpu), addr, size);
    }

    /** A store of 1, 2, 4 or 8 bytes at a guest physical address, on behalf of {@code cpu}. */
    public void store(int cpu, long addr, int size, long value) {
        runState.require("store");
        AddressSpace.checkSize(size);
        store(cpu(cpu), addr, size, value);
    }

    /**
     * A resolved access site of {@code cpu}: a load or store of {@code size} bytes at {@code addr}
     * that a guest loop repeats (see {@link GuestAccessPort}).
     */
    public GuestAccessPort port(int cpu, long addr, int size) {
        AddressSpace.checkSize(size);
        return new GuestAccessPort(this, cpu(cpu), addr, size);
    }

    /** An emulated MMIO access's exit, as {@link #load} charges it. */
    void chargeMmioExit() {
        lastExitNs = host.chargeMmioExit();
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
        devices.reset();
        cpus.reset();
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
        loader.drop();
    }

    /** Advances virtual time by {@code ns}, firing what falls due. Returns the events fired. */
    public long run(long ns) {
        runState.require("run");
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
        runState.require("runUntilIdle");
        return scheduler.runUntilIdle(IDLE_EVENT_LIMIT);
    }

    // ------------------------------------------------------------------ guest model

    /**
     * The runs of unpaced IPI workloads on {@code hostThreads} host threads (made on first use;
     * see {@link ParallelIpis}).
     */
    public ParallelIpis parallelIpis() {
        if (parallelIpis == null) {
            parallelIpis = new ParallelIpis(this);
        }
        return parallelIpis;
    }

    /** The guest model once booted, or null. */
    public GuestOs guest() {
        return loader.guest();
    }

    /** Boots the Linux-like guest model; see {@link GuestOs} and {@link GuestLoader#boot}. */
    public GuestOs.BootReport boot(GuestOs.BootOptions options) {
        return loader.boot(options);
    }

    /** Installs the guest model a snapshot restored (its section's commit, after {@link #beginRestore}). */
    public void restoreGuest(GuestOs g) {
        loader.restore(g);
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
        return runState.running();
    }

    /**
     * Stops the VM (QEMU's vm_stop; see {@link RunState#stop}): virtual time, guest accesses and
     * hcalls are refused until {@link #cont}. {@code why} is what they say.
     */
    public void stop(String why) {
        runState.stop(why);
    }

    /** Resumes the VM (QEMU's vm_start). */
    public void cont() {
        runState.cont();
    }

    /** Why the machine is stopped (what {@link #stop} was told), or null while it runs. */
    public String stopReason() {
        return runState.stopReason();
    }

    /** Refuses {@code what} while the VM is stopped, naming the stop's reason ({@link RunState#require}). */
    public void requireRunning(String what) {
        runState.require(what);
    }

    /** A stopped machine keeps {@code why} as its reason; see {@link RunState#stayStopped}. */
    public void stayStopped(String why) {
        runState.stayStopped(why);
    }

    /** After a restore's sections were committed; see {@link KernelIrqchip#postLoad}. */
    public String kernelPostLoad() {
        return kernelIrqchip.postLoad(controllers);
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
        loader.drop();
        cpus.dropInputs();
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
        m.put("cpus", cpusView.size());
        m.put("icMode", config.icMode());
        m.put("active", controllers.active().name());
        m.put("memory", memory.size());
        m.put("devices", devices.info());
        m.put("warnings", new ArrayList<>(warnings));
        return m;
    }
}
