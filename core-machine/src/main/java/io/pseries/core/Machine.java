package io.pseries.core;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.pseries.core.cas.CasException;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.Device;
import io.pseries.core.dev.Devices;
import io.pseries.core.dev.EventSources;
import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Fdt;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.intc.InterruptControllerProvider;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.IrqSpace;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.mem.MmioSpace;
import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;
import io.pseries.core.sched.Scheduler;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.util.Suggest;

/**
 * A POWER9 pseries (sPAPR) virtual machine: vCPUs, guest RAM, MMIO, hcall and RTAS dispatch,
 * the interrupt number space, one or two interrupt controllers, devices, CAS and the device
 * tree. The raw ABI methods ({@link #hcall}, {@link #rtas}, {@link #load}, {@link #store},
 * {@link #cas}) are exactly what a guest can do.
 *
 * <pre>
 *  device line ──► IrqLine ──► active InterruptController ──► VCpu input ──► guest model
 *  guest ABI ─── hcall / RTAS / MMIO / CAS ──► handlers registered by the controllers
 * </pre>
 *
 * <p>Threading: a machine is confined to one thread (the script's). Nothing here locks.
 */
public final class Machine implements IntcHost {

    /** Result of an hcall: R3 and the outputs from R4 (as many as the hcall defines). */
    public record HcallResult(long rc, long[] rets) {
        public String rcName() {
            return PaprRc.name(rc);
        }
    }

    /** Result of an RTAS call: the status word and the other outputs. */
    public record RtasResult(int status, int[] rets) {
    }

    private final MachineConfig config;
    private final Scheduler scheduler = new Scheduler();
    private final Trace trace = new Trace(scheduler::now);
    private final GuestMemory memory;
    private final MmioSpace mmio = new MmioSpace();
    private final HcallTable hcalls = new HcallTable();
    private final RtasTable rtas = new RtasTable();
    private final IrqSpace irqSpace = new IrqSpace();
    private final List<VCpu> cpus = new ArrayList<>();
    private final VCpu[] cpuByVcpuId;
    private final List<InterruptController> controllers = new ArrayList<>();
    private final Map<Integer, IrqLine> lines = new TreeMap<>();
    private final Map<Integer, Device> lineOwners = new TreeMap<>();
    private final List<Device> devices = new ArrayList<>();
    private final EventSources eventSources = new EventSources();
    private final io.pseries.core.dev.pci.SpaprPhb phb = new io.pseries.core.dev.pci.SpaprPhb(0);
    private final OptionVector ov5;
    private final StringBuilder console = new StringBuilder();
    private final long[] hcallRegs = new long[HcallTable.NARGS];
    private InterruptController active;
    private OptionVector ov5Cas = new OptionVector();
    private GuestOs guest;
    private boolean poweredOff;
    private String osTerm;
    private long todOffsetNs;
    private long resets;
    private final List<String> warnings = new ArrayList<>();

    /** Creates a machine with every interrupt-controller plugin found on the class path. */
    public static Machine create(MachineConfig config) {
        List<InterruptControllerProvider> providers = new ArrayList<>();
        ServiceLoader.load(InterruptControllerProvider.class, Machine.class.getClassLoader()).forEach(providers::add);
        return new Machine(config, providers);
    }

    /** The interrupt-controller modes available with the plugins on the class path. */
    public static List<String> availableIcModes() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(InterruptControllerProvider.class, Machine.class.getClassLoader()).forEach(p -> names.add(p.name()));
        return icModes(names);
    }

    private static List<String> icModes(List<String> providerNames) {
        List<String> modes = new ArrayList<>(providerNames);
        Collections.sort(modes);
        if (providerNames.contains("xics") && providerNames.contains("xive")) {
            modes.add("dual");
        }
        return modes;
    }

    /** Creates a machine with the given providers (tests use this to pick plugins). */
    public Machine(MachineConfig config, List<InterruptControllerProvider> providers) {
        this.config = config;
        this.memory = new GuestMemory(config.memory());
        if ("on".equals(config.kernelIrqchip())) {
            throw new IllegalArgumentException("invalid machine option kernelIrqchip: 'on' needs the simulated"
                + " in-kernel interrupt controllers, which this version does not model; use 'off', or 'allowed'"
                + " to fall back to the emulated controllers as QEMU does");
        }
        if ("allowed".equals(config.kernelIrqchip())) {
            // QEMU prints this warning and uses the emulated controllers
            warnings.add("kernel_irqchip allowed but unavailable: the simulated in-kernel interrupt controllers are"
                + " not modelled; falling back to kernel-irqchip=off");
        }
        List<InterruptControllerProvider> chosen = choose(config.icMode(), providers);

        // machine option vector 5 (spapr->ov5), as QEMU 7.2 sets it for a TCG POWER9 machine
        ov5 = OptionVector.ofBytes(2, 0x20, 5, 0xa0, 6, 0x05, 22, 0x80, 24, 0x40, 26, 0x40);

        registerMachineHcalls();
        registerMachineRtas();

        // interrupt controllers first (XIVE claims its IPI numbers here), then vCPUs, then devices
        for (InterruptControllerProvider p : chosen) {
            controllers.add(p.create(this));
        }
        if (chosen.stream().anyMatch(p -> p.casRole() == CasRole.EXPLOITATION)) {
            ov5.set(OptionVector.OV5_XIVE_EXPLOIT);
        }
        cpuByVcpuId = new VCpu[config.cpus()];
        for (int i = 0; i < config.cpus(); i++) {
            VCpu c = new VCpu(i, i);
            cpus.add(c);
            cpuByVcpuId[i] = c;
            for (InterruptController ic : controllers) {
                ic.cpuCreated(c);
            }
        }
        devices.add(eventSources);
        devices.add(phb);
        devices.addAll(Devices.create(config.devices(), phb));
        for (Device d : devices) {
            d.realize(this);
        }
        reset();
        resets = 0;
    }

    private static List<InterruptControllerProvider> choose(String icMode, List<InterruptControllerProvider> providers) {
        List<String> names = providers.stream().map(InterruptControllerProvider::name).toList();
        List<String> modes = icModes(names);
        if (!modes.contains(icMode)) {
            throw new IllegalArgumentException("invalid machine option icMode: '" + icMode + "'"
                + Suggest.didYouMean(icMode, modes) + "; expected one of " + String.join(", ", modes)
                + (providers.isEmpty() ? " (no interrupt-controller plugin is on the class path)" : ""));
        }
        List<InterruptControllerProvider> out = new ArrayList<>();
        for (InterruptControllerProvider p : providers) {
            boolean want = icMode.equals("dual") ? (p.name().equals("xics") || p.name().equals("xive")) : p.name().equals(icMode);
            if (want) {
                out.add(p);
            }
        }
        // creation order as QEMU's spapr_irq_init: the legacy controller first
        out.sort((a, b) -> a.casRole().compareTo(b.casRole()));
        return out;
    }

    // ------------------------------------------------------------------ accessors

    @Override
    public MachineConfig config() {
        return config;
    }

    @Override
    public List<VCpu> cpus() {
        return Collections.unmodifiableList(cpus);
    }

    /** The vCPU with this index; a clear error when there is none. */
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
        return config.cpus();
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
        return hcalls;
    }

    @Override
    public RtasTable rtas() {
        return rtas;
    }

    @Override
    public Trace trace() {
        return trace;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public IrqSpace irqSpace() {
        return irqSpace;
    }

    @Override
    public long now() {
        return scheduler.now();
    }

    @Override
    public OptionVector ov5Cas() {
        return ov5Cas;
    }

    /** The machine's own option vector 5 (what it can negotiate). */
    public OptionVector ov5() {
        return ov5.copy();
    }

    @Override
    public boolean isActive(InterruptController c) {
        return active == c;
    }

    /** The active controller's name: what {@code m.icMode} reports. */
    public String icMode() {
        return active.name();
    }

    public InterruptController activeController() {
        return active;
    }

    /** Every controller of the machine (two in dual mode), legacy first. */
    public List<InterruptController> controllers() {
        return Collections.unmodifiableList(controllers);
    }

    /** The controller with this name, or null. */
    public InterruptController controller(String name) {
        for (InterruptController c : controllers) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    public List<Device> devices() {
        return Collections.unmodifiableList(devices);
    }

    public EventSources eventSources() {
        return eventSources;
    }

    /** The PCI host bridge (QEMU's default PHB, always present). */
    public io.pseries.core.dev.pci.SpaprPhb phb() {
        return phb;
    }

    /** Warnings from machine creation, as QEMU would print them. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** What the guest printed through RTAS display-character. */
    public String console() {
        return console.toString();
    }

    public boolean poweredOff() {
        return poweredOff;
    }

    /** The message of the guest's ibm,os-term call, or null. */
    public String osTerm() {
        return osTerm;
    }

    /** How many times the machine was reset since creation. */
    public long resetCount() {
        return resets;
    }

    // ------------------------------------------------------------------ interrupt lines

    /**
     * Claims a device interrupt number in every controller and returns its line. Throws with
     * QEMU's wording when the number is outside [0x1000, 0x2000) or already claimed.
     */
    public IrqLine claimIrq(int irq, boolean lsi, String driver) {
        irqSpace.checkClaimable(irq);
        for (InterruptController c : controllers) {
            c.claim(irq, lsi);
        }
        irqSpace.markClaimed(irq, lsi);
        IrqLine line = new IrqLine(irq, lsi, driver, this::lineChanged);
        lines.put(irq, line);
        return line;
    }

    /** Releases a claimed number in every controller. */
    public void freeIrq(int irq) {
        if (!irqSpace.isClaimed(irq)) {
            throw new IllegalStateException(String.format("IRQ 0x%x is not claimed", irq));
        }
        for (InterruptController c : controllers) {
            c.free(irq);
        }
        irqSpace.markFree(irq);
        lines.remove(irq);
        lineOwners.remove(irq);
    }

    /** Records which device handles the guest side of an interrupt (for deassert on handling). */
    public void setLineOwner(int irq, Device d) {
        lineOwners.put(irq, d);
    }

    /** The device owning a line, or null. */
    public Device lineOwner(int irq) {
        Device d = lineOwners.get(irq);
        if (d != null) {
            return d;
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

    private void lineChanged(int irq, boolean level) {
        if (trace.on(TraceCategory.INTC)) {
            trace.emit(TraceCategory.INTC, -1, "line", "irq", irq, "level", level);
        }
        active.setIrq(irq, level);
    }

    /** The line of a claimed interrupt; a clear error otherwise. */
    public IrqLine irq(long n) {
        IrqLine l = lines.get((int) n);
        if (l == null || n != (int) n) {
            String claimed = lines.keySet().stream().map(i -> String.format("0x%x", i)).reduce((a, b) -> a + ", " + b).orElse("none");
            throw new IllegalArgumentException(String.format("IRQ %d (0x%x) is not a claimed device interrupt; claimed: %s",
                n, n, claimed));
        }
        return l;
    }

    /** Every claimed line, by number. */
    public Map<Integer, IrqLine> lines() {
        return Collections.unmodifiableMap(lines);
    }

    @Override
    public int[] raisedLines() {
        return lines.values().stream().filter(IrqLine::level).mapToInt(IrqLine::irq).toArray();
    }

    // ------------------------------------------------------------------ guest ABI: hcalls

    /** Performs an hcall on behalf of {@code cpu} with R4.. = {@code args}. */
    public HcallResult hcall(int cpu, long opcode, long... args) {
        VCpu c = cpu(cpu);
        if (args.length > HcallTable.NARGS) {
            throw new IllegalArgumentException("an hcall takes at most " + HcallTable.NARGS + " arguments (R4..R12), got " + args.length);
        }
        long[] regs = new long[HcallTable.NARGS];
        System.arraycopy(args, 0, regs, 0, args.length);
        long[] in = regs.clone();
        long rc = hcall(c, opcode, regs);
        HcallTable.Entry e = hcalls.lookup(opcode);
        int nret = e == null ? 0 : e.nret();
        long[] rets = Arrays.copyOf(regs, nret);
        if (trace.on(TraceCategory.HCALL)) {
            trace.emit(TraceCategory.HCALL, c.index(), e == null ? String.format("hcall_0x%x", opcode) : e.name(),
                "opcode", opcode, "args", Arrays.stream(in, 0, Math.max(args.length, 0)).boxed().toList(),
                "rc", rc, "rcName", PaprRc.name(rc), "rets", Arrays.stream(rets).boxed().toList());
        }
        return new HcallResult(rc, rets);
    }

    /**
     * The allocation-free hcall path used by the guest model: {@code regs} carries R4.. in and
     * the outputs out. Not traced here (the caller traces when tracing is on).
     */
    public long hcall(VCpu cpu, long opcode, long[] regs) {
        HcallTable.Entry e = hcalls.lookup(opcode);
        if (e == null) {
            trace.emit(TraceCategory.UNIMPLEMENTED, cpu.index(), "hcall",
                "message", String.format("Unimplemented SPAPR hcall 0x%x", opcode), "opcode", opcode);
            return PaprRc.H_FUNCTION;
        }
        return e.handler().call(cpu, regs);
    }

    /** The opcode for an hcall name such as {@code "H_INT_ESB"}, with a suggestion when misspelled. */
    public int hcallOpcode(String name) {
        HcallTable.Entry e = hcalls.lookup(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown hcall '" + name + "'" + Suggest.didYouMean(name, hcalls.all().keySet())
                + "; known: " + String.join(", ", hcalls.all().keySet()));
        }
        return e.opcode();
    }

    private void registerMachineHcalls() {
        hcalls.register(Hcalls.KVMPPC_H_RTAS, "KVMPPC_H_RTAS", 0, this::hRtas);
    }

    /** KVMPPC_H_RTAS: R4 is the real address of the RTAS argument buffer. */
    private long hRtas(VCpu cpu, long[] args) {
        long buf = args[0];
        if (!memory.contains(buf, 12)) {
            trace.guestError(cpu.index(), "RTAS argument buffer outside RAM", "addr", buf);
            return PaprRc.H_PARAMETER;
        }
        int token = memory.read32(buf);
        int nargs = memory.read32(buf + 4);
        int nret = memory.read32(buf + 8);
        if (nargs < 0 || nret < 0 || nargs > 64 || nret > 64 || !memory.contains(buf + 12, 4 * (nargs + nret))) {
            trace.guestError(cpu.index(), "bad RTAS argument buffer", "addr", buf, "nargs", nargs, "nret", nret);
            return PaprRc.H_PARAMETER;
        }
        int[] in = new int[nargs];
        for (int i = 0; i < nargs; i++) {
            in[i] = memory.read32(buf + 12 + 4L * i);
        }
        RtasResult r = rtasByToken(cpu, token, in, nret);
        int[] all = new int[nret];
        if (nret > 0) {
            all[0] = r.status();
            System.arraycopy(r.rets(), 0, all, 1, Math.min(r.rets().length, nret - 1));
        }
        for (int i = 0; i < nret; i++) {
            memory.write32(buf + 12 + 4L * (nargs + i), all[i]);
        }
        return PaprRc.H_SUCCESS;
    }

    // ------------------------------------------------------------------ guest ABI: RTAS

    /**
     * Performs an RTAS call by name on behalf of {@code cpu}. {@code nret} is the number of output
     * words the caller reserved, status included (negative: the call's usual count).
     */
    public RtasResult rtas(int cpu, String name, int[] args, int nret) {
        RtasTable.Entry e = rtas.lookup(name);
        if (e == null) {
            List<String> known = rtas.byToken().values().stream().map(RtasTable.Entry::name).toList();
            throw new IllegalArgumentException("unknown RTAS call '" + name + "'" + Suggest.didYouMean(name, known)
                + (RtasTable.qemuToken(name) >= 0 ? " (this machine does not provide it)" : ""));
        }
        return rtasByToken(cpu(cpu), e.token(), args, nret < 0 ? e.nret() : nret);
    }

    /** Performs an RTAS call by token, as the guest's RTAS entry point does. */
    public RtasResult rtasByToken(VCpu cpu, int token, int[] args, int nret) {
        RtasTable.Entry e = rtas.lookup(token);
        RtasCall call = new RtasCall(cpu, token, args, nret);
        if (e == null) {
            trace.guestError(cpu.index(), String.format("Unknown RTAS token 0x%x", token), "token", token);
            call.status(RtasStatus.PARAM_ERROR);
        } else {
            e.handler().call(call);
        }
        int[] all = call.rets();
        int status = all.length > 0 ? all[0] : 0;
        int[] rets = all.length > 1 ? Arrays.copyOfRange(all, 1, all.length) : new int[0];
        if (trace.on(TraceCategory.RTAS)) {
            trace.emit(TraceCategory.RTAS, cpu.index(), e == null ? String.format("token_0x%x", token) : e.name(),
                "token", token, "args", Arrays.stream(args).mapToLong(a -> a & 0xffff_ffffL).boxed().toList(),
                "status", status, "rets", Arrays.stream(rets).mapToLong(a -> a & 0xffff_ffffL).boxed().toList());
        }
        return new RtasResult(status, rets);
    }

    private void registerMachineRtas() {
        rtas.register("display-character", 1, c -> {
            if (c.nargs() != 1 || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            console.append((char) (c.arg(0) & 0xff));
            c.status(RtasStatus.SUCCESS);
        });
        rtas.register("get-time-of-day", 8, c -> {
            if (c.nargs() != 0 || c.nret() != 8) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            long ns = scheduler.now() + todOffsetNs;
            LocalDateTime t = LocalDateTime.ofEpochSecond(EPOCH_BASE_S + Math.floorDiv(ns, 1_000_000_000L),
                (int) Math.floorMod(ns, 1_000_000_000L), ZoneOffset.UTC);
            c.status(RtasStatus.SUCCESS);
            c.ret(1, t.getYear());
            c.ret(2, t.getMonthValue());
            c.ret(3, t.getDayOfMonth());
            c.ret(4, t.getHour());
            c.ret(5, t.getMinute());
            c.ret(6, t.getSecond());
            c.ret(7, t.getNano());
        });
        rtas.register("set-time-of-day", 1, c -> {
            if (c.nargs() != 7 || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            try {
                LocalDateTime t = LocalDateTime.of((int) c.arg(0), (int) c.arg(1), (int) c.arg(2), (int) c.arg(3),
                    (int) c.arg(4), (int) c.arg(5), (int) c.arg(6));
                long target = (t.toEpochSecond(ZoneOffset.UTC) - EPOCH_BASE_S) * 1_000_000_000L + t.getNano();
                todOffsetNs = target - scheduler.now();
                c.status(RtasStatus.SUCCESS);
            } catch (java.time.DateTimeException ex) {
                c.status(RtasStatus.PARAM_ERROR);
            }
        });
        rtas.register("power-off", 1, c -> {
            if (c.nargs() != 2 || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            poweredOff = true;
            c.status(RtasStatus.SUCCESS);
        });
        rtas.register("system-reboot", 1, c -> {
            if (c.nargs() != 0 || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            c.status(RtasStatus.SUCCESS);
            // the reset happens once the call has returned
            scheduler.after(0, now -> reset());
        });
        rtas.register("query-cpu-stopped-state", 2, c -> {
            if (c.nargs() != 1 || c.nret() != 2) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            VCpu t = cpuByVcpuId(c.arg(0));
            if (t == null) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            c.status(RtasStatus.SUCCESS);
            c.ret(1, t.running() ? 2 : 0);
        });
        rtas.register("start-cpu", 1, c -> {
            if (c.nargs() != 3 || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            VCpu t = cpuByVcpuId(c.arg(0));
            if (t == null) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            if (t.running()) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            t.setRunning(true);
            c.status(RtasStatus.SUCCESS);
        });
        rtas.register("stop-self", 1, c -> {
            c.cpu().setRunning(false);
            c.status(RtasStatus.SUCCESS);
        });
        rtas.register("ibm,os-term", 1, c -> {
            if (c.nargs() != 1 || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            osTerm = "os-term";
            c.status(RtasStatus.SUCCESS);
        });
        rtas.register("event-scan", 1, c -> {
            if (c.nargs() != 4 || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            c.status(RtasStatus.NO_ERRORS_FOUND);
        });
        rtas.register("check-exception", 1, c -> {
            if ((c.nargs() != 6 && c.nargs() != 7) || c.nret() != 1) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            c.status(RtasStatus.NO_ERRORS_FOUND);
        });
    }

    /** get-time-of-day counts from 2026-01-01T00:00:00Z plus virtual time: deterministic. */
    private static final long EPOCH_BASE_S = 1_767_225_600L;

    // ------------------------------------------------------------------ guest ABI: MMIO

    /** A load of 1, 2, 4 or 8 bytes at a guest physical address, on behalf of {@code cpu}. */
    public long load(int cpu, long addr, int size) {
        checkSize(size);
        return load(cpu(cpu), addr, size);
    }

    /** A store of 1, 2, 4 or 8 bytes at a guest physical address, on behalf of {@code cpu}. */
    public void store(int cpu, long addr, int size, long value) {
        checkSize(size);
        store(cpu(cpu), addr, size, value);
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("access size must be 1, 2, 4 or 8 bytes, got " + size);
        }
    }

    private static long allOnes(int size) {
        return size == 8 ? -1L : (1L << (8 * size)) - 1;
    }

    /** The load path (size already checked). */
    public long load(VCpu cpu, long addr, int size) {
        if (Long.compareUnsigned(addr, memory.size()) < 0) {
            if (memory.contains(addr, size)) {
                return memory.read(addr, size);
            }
        }
        MmioRegion r = mmio.find(addr);
        if (r == null || !r.covers(addr + size - 1)) {
            trace.guestError(cpu.index(), "load from unassigned address", "addr", addr, "size", size);
            return allOnes(size);
        }
        if ((addr & (size - 1)) != 0) {
            trace.guestError(cpu.index(), "misaligned MMIO load", "addr", addr, "size", size, "region", r.name());
            return allOnes(size);
        }
        long v = r.handler().read(cpu, addr - r.base(), size);
        if (size < 8) {
            v &= allOnes(size);
        }
        if (trace.on(TraceCategory.MMIO)) {
            trace.emit(TraceCategory.MMIO, cpu.index(), "load", "region", r.name(), "addr", addr,
                "offset", addr - r.base(), "size", size, "value", v);
        }
        return v;
    }

    /** The store path (size already checked). */
    public void store(VCpu cpu, long addr, int size, long value) {
        if (Long.compareUnsigned(addr, memory.size()) < 0) {
            if (memory.contains(addr, size)) {
                memory.write(addr, size, value);
                return;
            }
        }
        MmioRegion r = mmio.find(addr);
        if (r == null || !r.covers(addr + size - 1)) {
            trace.guestError(cpu.index(), "store to unassigned address", "addr", addr, "size", size, "value", value);
            return;
        }
        if ((addr & (size - 1)) != 0) {
            trace.guestError(cpu.index(), "misaligned MMIO store", "addr", addr, "size", size, "region", r.name());
            return;
        }
        if (size < 8) {
            value &= allOnes(size);
        }
        if (trace.on(TraceCategory.MMIO)) {
            trace.emit(TraceCategory.MMIO, cpu.index(), "store", "region", r.name(), "addr", addr,
                "offset", addr - r.base(), "size", size, "value", value);
        }
        r.handler().write(cpu, addr - r.base(), size, value);
    }

    // ------------------------------------------------------------------ CAS

    /** The byte 23 this platform advertises: 0x80 both, 0x40 XIVE only, 0x00 XICS only. */
    public int platformInterruptModes() {
        boolean legacy = controllers.stream().anyMatch(c -> c.casRole() == CasRole.LEGACY);
        boolean exploit = controllers.stream().anyMatch(c -> c.casRole() == CasRole.EXPLOITATION);
        return legacy && exploit ? 0x80 : exploit ? 0x40 : 0x00;
    }

    /**
     * ibm,client-architecture-support from the boot CPU, with the guest's option vector 5
     * ({@code null}: the guest sent none). Follows QEMU's do_client_architecture_support: on
     * success the negotiated vector is stored, the active controller switched in place and the
     * device tree reflects it; on failure the machine is unchanged and a {@link CasException}
     * carries QEMU's message.
     */
    public CasResult cas(OptionVector guestOv5) {
        for (VCpu c : cpus) {
            if (c.index() != 0 && c.running()) {
                throw casFailure("guest has multiple active vCPUs at CAS, which is not allowed",
                    PaprRc.H_MULTI_THREADS_ACTIVE, false, guestOv5);
            }
        }
        if (guestOv5 == null) {
            throw casFailure("guest didn't provide option vector 5", PaprRc.H_PARAMETER, false, null);
        }
        if (guestOv5.test(OptionVector.bit(24, 0))) {
            throw casFailure("guest requested hash and radix MMU, which is invalid.", 0, true, guestOv5);
        }
        if (guestOv5.test(OptionVector.OV5_XIVE_BOTH)) {
            throw casFailure("guest requested an invalid interrupt mode", 0, true, guestOv5);
        }
        boolean guestXive = guestOv5.test(OptionVector.OV5_XIVE_EXPLOIT);
        boolean hasXive = controllers.stream().anyMatch(c -> c.casRole() == CasRole.EXPLOITATION);
        boolean hasXics = controllers.stream().anyMatch(c -> c.casRole() == CasRole.LEGACY);
        if (guestXive && !hasXive) {
            throw casFailure("Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or"
                + " ic-mode=dual machine property", 0, true, guestOv5);
        }
        if (!guestXive && !hasXics) {
            throw casFailure("Guest requested unavailable interrupt mode (XICS), either don't set the ic-mode"
                + " machine property or try ic-mode=xics or ic-mode=dual", 0, true, guestOv5);
        }
        ov5Cas = ov5.intersect(guestOv5);
        InterruptController before = active;
        updateActiveController();
        CasResult r = new CasResult(active.name(), guestOv5.getByte(23), ov5Cas.getByte(23), ov5Cas.copy(), before != active);
        if (trace.on(TraceCategory.CAS)) {
            trace.emit(TraceCategory.CAS, 0, "cas", "requested", r.requested(), "answer", r.answer(),
                "mode", r.mode(), "switched", r.switched(), "ov5", ov5Cas.toString());
        }
        return r;
    }

    private CasException casFailure(String msg, long rc, boolean fatal, OptionVector guestOv5) {
        if (trace.on(TraceCategory.CAS)) {
            trace.emit(TraceCategory.CAS, 0, "cas_refused", "message", msg, "rc", rc, "fatal", fatal,
                "requested", guestOv5 == null ? -1 : guestOv5.getByte(23));
        }
        return new CasException(msg, rc, fatal);
    }

    /**
     * QEMU's spapr_irq_update_active_intc: the exploitation controller when it is alone or
     * was negotiated, the legacy one otherwise.
     */
    private void updateActiveController() {
        InterruptController legacy = null;
        InterruptController exploit = null;
        for (InterruptController c : controllers) {
            if (c.casRole() == CasRole.LEGACY) {
                legacy = c;
            } else {
                exploit = c;
            }
        }
        InterruptController want;
        if (legacy == null) {
            want = exploit;
        } else if (exploit != null && ov5Cas.test(OptionVector.OV5_XIVE_EXPLOIT)) {
            want = exploit;
        } else {
            want = legacy;
        }
        setActive(want);
    }

    private void setActive(InterruptController want) {
        if (want == active) {
            return;
        }
        if (active != null) {
            active.deactivate();
            for (VCpu c : cpus) {
                c.setOsInterrupt(false);
                c.setHvInterrupt(false);
            }
        }
        active = want;
        want.activate();
        // a wire keeps its level: the new controller sees every line that is up
        for (IrqLine l : lines.values()) {
            if (l.level()) {
                want.setIrq(l.irq(), true);
            }
        }
    }

    // ------------------------------------------------------------------ device tree

    /**
     * Whether interrupt providers get {@code #address-cells = <0>} so that dtc reports no
     * warning. QEMU omits it; Linux reads a missing value as 0, so the guest sees no difference.
     */
    private boolean dtcClean = true;

    public void setDtcClean(boolean clean) {
        this.dtcClean = clean;
    }

    public boolean dtcClean() {
        return dtcClean;
    }

    /** The device tree as QEMU would hand it to the guest now (pre-CAS or post-CAS). */
    public DtNode deviceTree() {
        DtNode root = new DtNode("");
        if (active.casRole() == CasRole.EXPLOITATION) {
            root.setCells("ibm,plat-res-int-priorities", 7, 0xf8);
        }
        root.setCells("#size-cells", 2);
        root.setCells("#address-cells", 2);
        root.setString("vm,uuid", "00000000-0000-0000-0000-000000000000");
        root.setString("compatible", "qemu,pseries");
        root.setString("model", "IBM pSeries (emulated by qemu)");
        root.setString("device_type", "chrp");

        DtNode pmem = root.addChild("ibm,persistent-memory");
        pmem.setString("device_type", "ibm,persistent-memory");
        pmem.setCells("#size-cells", 0);
        pmem.setCells("#address-cells", 1);

        writeChosen(root.addChild("chosen"));
        writeRtas(root.addChild("rtas"));
        eventSources.writeDeviceTree(root);
        writeCpus(root.addChild("cpus"));
        phb.writeDeviceTree(root);

        DtNode vdev = root.addChild("vdevice");
        vdev.setEmpty("interrupt-controller");
        vdev.setCells("#interrupt-cells", 2);
        vdev.setCells("#size-cells", 0);
        vdev.setCells("#address-cells", 1);
        vdev.setString("compatible", "IBM,vdevice");
        vdev.setString("device_type", "vdevice");
        for (Device d : devices) {
            if (d != eventSources && d != phb) {
                d.writeDeviceTree(root);
            }
        }

        DtNode mem = root.addChild("memory@0");
        mem.setCells("ibm,associativity", 4, 0, 0, 0, 0);
        mem.setCells("reg", 0, 0, memory.size() >>> 32, memory.size() & 0xffff_ffffL);
        mem.setString("device_type", "memory");

        active.writeDeviceTree(root, nrServers(), SpaprIrq.PHANDLE_INTC);

        if (dtcClean) {
            addAddressCellsToInterruptProviders(root);
        }
        return root;
    }

    private static void addAddressCellsToInterruptProviders(DtNode n) {
        if (n.has("interrupt-controller") && !n.has("#address-cells")) {
            n.setCells("#address-cells", 0);
        }
        for (DtNode c : n.children()) {
            addAddressCellsToInterruptProviders(c);
        }
    }

    private void writeChosen(DtNode chosen) {
        chosen.set("ibm,architecture-vec-5", ov5Cas.encode());
        chosen.set("rng-seed", rngSeed());
        int x = platformInterruptModes();
        chosen.setCells("ibm,arch-vec-5-platform-support", 0x17000000L | (x << 16) | 0x18c0, 0x19001a40);
        chosen.setCells("linux,pci-probe-only", 0);
        String console = stdoutPath();
        if (console != null) {
            chosen.setString("stdout-path", console);
            chosen.setString("linux,stdout-path", console);
        }
        chosen.setCells("qemu,graphic-depth", 0x20);
        chosen.setCells("qemu,graphic-height", 0x258);
        chosen.setCells("qemu,graphic-width", 0x320);
    }

    /** 32 bytes derived from the machine seed (QEMU uses host randomness; we stay deterministic). */
    private byte[] rngSeed() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(config.seed() ^ 0x5eed_5eedL);
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private String stdoutPath() {
        for (Device d : devices) {
            if (d.type().equals("spapr-vty")) {
                return "/vdevice/" + d.name();
            }
        }
        return null;
    }

    private void writeRtas(DtNode n) {
        List<RtasTable.Entry> entries = new ArrayList<>(rtas.byToken().values());
        Collections.reverse(entries);
        for (RtasTable.Entry e : entries) {
            n.setCells(e.name(), e.token());
        }
        n.setCells("ibm,lrdr-capacity", 0, 0, 0, 0x10000000L, cpus.size());
        n.setEmpty("ibm,extended-os-term");
        n.setEmpty("ibm,change-msix-capable");
        n.setCells("rtas-event-scan-rate", 1);
        n.setCells("rtas-error-log-max", 0x800);
        n.setCells("rtas-size", 0x85c);
        n.setCells("ibm,max-associativity-domains", 4, 0, 0, 0, 1);
        n.setCells("ibm,associativity-reference-points", 4, 4, 2);
        n.setString("qemu,hypertas-functions", "hcall-memop1");
        n.setString("ibm,hypertas-functions", "hcall-pft", "hcall-term", "hcall-dabr", "hcall-interrupt",
            "hcall-tce", "hcall-vio", "hcall-splpar", "hcall-join", "hcall-bulk", "hcall-set-mode", "hcall-sprg0",
            "hcall-copy", "hcall-debug", "hcall-vphn", "hcall-multi-tce", "hcall-hpt-resize", "hcall-watchdog");
    }

    private void writeCpus(DtNode n) {
        n.setCells("#size-cells", 0);
        n.setCells("#address-cells", 1);
        for (VCpu c : cpus) {
            DtNode cn = n.addChild("PowerPC,POWER9@" + Integer.toHexString(c.vcpuId()));
            cn.setCells("ibm,dec-bits", 0x38);
            cn.setCells("ibm,processor-radix-AP-encodings", 0x0c, 0xa0000010L, 0x20000015, 0x4000001e);
            cn.setCells("ibm,ppc-interrupt-gserver#s", c.vcpuId(), 0);
            cn.setCells("ibm,ppc-interrupt-server#s", c.vcpuId());
            cn.setCells("ibm,pft-size", 0, 0x17);
            cn.setCells("ibm,chip-id", 0);
            cn.setCells("ibm,pa-features", 0x4200f63fL, 0xc7c080f0L, 0x80000000L, 0, 0x8000, 0x80008000L, 0x8000,
                0x80008000L, 0x80008000L, 0xc0008000L, 0x80008000L, 0x80008000L, 0x80008000L, 0x80008000L,
                0x80008000L, 0x80008000L, 0x80000000L);
            cn.setCells("ibm,segment-page-sizes", 0x0c, 0, 1, 0x0c, 0, 0x10, 0x110, 1, 0x10, 1);
            cn.setCells("ibm,dfp", 1);
            cn.setCells("ibm,vmx", 2);
            cn.setCells("ibm,processor-segment-sizes", 0x1c, 0x28, 0xffffffffL, 0xffffffffL);
            cn.setCells("ibm,spurr", 1);
            cn.setCells("ibm,purr", 1);
            cn.setEmpty("64-bit");
            cn.setString("status", "okay");
            cn.setCells("ibm,slb-size", 0x20);
            cn.setCells("slb-size", 0x20);
            cn.setCells("clock-frequency", 0x3b9aca00);
            cn.setCells("timebase-frequency", 0x1e848000);
            cn.setCells("i-cache-size", 0x8000);
            cn.setCells("d-cache-size", 0x8000);
            cn.setCells("i-cache-line-size", 0x80);
            cn.setCells("i-cache-block-size", 0x80);
            cn.setCells("d-cache-line-size", 0x80);
            cn.setCells("d-cache-block-size", 0x80);
            cn.setCells("cpu-version", 0x4e1200);
            cn.setString("device_type", "cpu");
            cn.setCells("reg", c.vcpuId());
            cn.setCells("ibm,my-drc-index", 0x10000000L + c.vcpuId());
        }
    }

    /** The current device tree as a flattened blob (what {@code m.fdt()} returns). */
    public byte[] fdt() {
        return Fdt.write(deviceTree(), 0);
    }

    // ------------------------------------------------------------------ state, time, reset

    /** The active controller's state as plain data. */
    public Map<String, Object> pic() {
        return active.pic();
    }

    /**
     * Machine reset (QEMU's spapr_machine_reset): forgets the CAS outcome, makes the legacy
     * controller active again in dual mode, resets controllers, devices and CPUs (only the boot
     * CPU runs), drops pending events and the guest model. Virtual time keeps running, as QEMU's
     * clock does; RAM content survives.
     */
    public void reset() {
        resets++;
        ov5Cas = new OptionVector();
        for (Device d : devices) {
            d.reset();
        }
        for (VCpu c : cpus) {
            c.reset();
        }
        // controllers reset first, then the active one is chosen (QEMU resets devices, then switches)
        for (InterruptController c : controllers) {
            c.reset();
        }
        updateActiveController();
        scheduler.dropPending();
        memory.resetAllocator();
        poweredOff = false;
        osTerm = null;
        if (guest != null) {
            guest.detach();
            guest = null;
        }
    }

    /** Advances virtual time by {@code ns}, firing what falls due. Returns the events fired. */
    public long run(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("run: ns must be >= 0, got " + ns);
        }
        return scheduler.runUntil(scheduler.now() + ns);
    }

    /** Default bound of {@link #runUntilIdle()}. */
    public static final long IDLE_EVENT_LIMIT = 10_000_000L;

    /** Fires events until none is pending. */
    public long runUntilIdle() {
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

    /** Subscribes to trace events of a category; returns the unsubscribe action. */
    public Runnable on(TraceCategory c, Consumer<io.pseries.core.trace.TraceEvent> l) {
        return trace.subscribe(c, l);
    }

    /** A short description of the machine as plain data. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", cpus.size());
        m.put("icMode", config.icMode());
        m.put("active", active.name());
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
