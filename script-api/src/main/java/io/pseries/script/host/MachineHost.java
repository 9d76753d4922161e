package io.pseries.script.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import io.pseries.core.Machine;
import io.pseries.core.cas.CasException;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Dts;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestTiming;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;
import io.pseries.core.util.Json;
import io.pseries.core.util.Suggest;

/**
 * The Java half of a script's machine object. Its exported methods take and return only
 * primitives, Java arrays and JSON strings; {@code pseries.js} turns them into the plain JS
 * objects, numbers and BigInts that scripts see. Nothing here is visible to scripts by name.
 *
 * <p>Threading: called on the script's thread only; trace listeners run on it too, while the
 * machine is inside the call that produced the event. An exception thrown by a listener is
 * held until that call has finished, then rethrown to the script, so the machine never stops
 * half-way through an operation.
 */
public final class MachineHost {
    /**
     * How deep listeners may nest through machine calls (a listener calling the machine, whose
     * event runs a listener...): deeper is a runaway recursion, ended as JS ends one.
     */
    public static final int MAX_LISTENER_NESTING = 32;

    /** The listener nesting of one script context (shared by its machines: a listener may drive another machine). */
    public static final class Nesting {
        int depth;
    }

    // not final: a checkpoint (--checkpoint-invariance) puts a restored machine in the old one's place
    private Machine m;
    private final Nesting nesting;
    private CpuHost cpuHost;
    private Throwable listenerError;
    /** Every trace subscription (the script's and the checkpoint recorder's), re-made on a checkpoint's machine. */
    private final List<Sub> subs = new ArrayList<>();
    private boolean sharedHost;
    private final Checkpoints checkpoints = Checkpoints.current();

    private static final class Sub {
        final TraceCategory category;
        final java.util.function.Consumer<TraceEvent> listener;
        Runnable off;

        Sub(TraceCategory category, java.util.function.Consumer<TraceEvent> listener) {
            this.category = category;
            this.listener = listener;
        }
    }

    public MachineHost(Machine m, Nesting nesting) {
        this.m = m;
        this.nesting = nesting;
        this.cpuHost = new CpuHost(m);
        if (checkpoints != null) {
            checkpoints.register(this);
        }
    }

    private Runnable subscribe(TraceCategory c, java.util.function.Consumer<TraceEvent> l) {
        Sub s = new Sub(c, l);
        s.off = m.trace().subscribe(c, l);
        subs.add(s);
        return () -> {
            s.off.run();
            subs.remove(s);
        };
    }

    /** The checkpoint recorder's listener, on every category. */
    void addRecorder(java.util.function.Consumer<TraceEvent> l) {
        for (TraceCategory c : TraceCategory.values()) {
            subscribe(c, l);
        }
    }

    /** This machine shares its simulated host with others (host.machine): a checkpoint cannot replace it alone. */
    void markSharedHost() {
        sharedHost = true;
    }

    /** A point the script's call makes (checkpoint invariance chooses among them). */
    private void boundary(String what) {
        if (checkpoints != null) {
            checkpoints.boundary(this, what);
        }
    }

    /**
     * Replaces the machine by a fresh one restored from its snapshot (listeners moved, the trace
     * numbering carried on). Returns null, or why this machine cannot be covered yet.
     */
    String checkpoint() {
        if (sharedHost) {
            return "it shares a simulated host (pseries.host) with other machines; a fresh machine would need theirs too";
        }
        if (m.cpuThreads().enabled()) {
            return "it runs guest code (m.loadElf): the interpreting vCPUs' registers are in no snapshot section yet";
        }
        if (!m.running()) {
            return "it is stopped (pseries.migrate moved it away)";
        }
        if (nesting.depth > 0) {
            return "the boundary is inside an event listener, while the machine is mid-operation";
        }
        // the checkpoint's own work (stop, pre_save, post_load) is not the script's to see
        for (Sub s : subs) {
            s.off.run();
        }
        try {
            byte[] snap;
            try {
                snap = m.snapshot();
            } catch (io.pseries.core.snapshot.SnapshotException e) {
                return e.getMessage();
            }
            Machine fresh = Machine.create(m.config());
            try {
                fresh.restore(snap);
            } catch (RuntimeException e) {
                return "its snapshot does not restore into a fresh machine: " + e.getMessage();
            }
            fresh.trace().continueFrom(m.trace());
            PseriesHost.FileReader reader = cpuHost.fileReader();
            m = fresh;
            cpuHost = new CpuHost(fresh);
            cpuHost.setFileReader(reader);
            return null;
        } finally {
            for (Sub s : subs) {
                s.off = m.trace().subscribe(s.category, s.listener);
            }
        }
    }

    /** The guest-code half: m.loadElf, m.cpu(n), the exception and instruction events. */
    @HostAccess.Export
    public CpuHost cpuHost() {
        return cpuHost;
    }

    public Machine machine() {
        return m;
    }

    private void rethrowListenerError() {
        Throwable e = listenerError;
        if (e != null) {
            listenerError = null;
            if (e instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) e;
        }
    }

    @HostAccess.Export
    public int cpuCount() {
        return m.cpus().size();
    }

    @HostAccess.Export
    public String config() {
        StackHeadroom.require("m.config");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cpus", m.config().cpus());
        c.put("threads", m.config().threads());
        c.put("vsmt", m.config().vsmt());
        c.put("icMode", m.config().icMode());
        c.put("kernelIrqchip", m.config().kernelIrqchip());
        c.put("memory", m.config().memory());
        List<Object> devs = new ArrayList<>();
        for (var d : m.config().devices()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("type", d.type());
            dm.putAll(d.options());
            devs.add(dm);
        }
        c.put("devices", devs);
        c.put("seed", m.config().seed());
        c.put("nrIrqs", m.config().nrIrqs());
        c.put("dtcClean", m.config().platform().dtcClean());
        c.put("xVof", m.config().platform().xVof());
        c.put("esbLoads", m.config().platform().esbLoads());
        c.put("experimental", m.config().platform().experimental());
        return Json.write(c);
    }

    /** {@code m.host}: the simulated host under this machine. */
    @HostAccess.Export
    public HostBinding host() {
        return new HostBinding(m);
    }

    @HostAccess.Export
    public String info() {
        StackHeadroom.require("m.info()");
        return Json.write(m.info());
    }

    // ------------------------------------------------------------------ hcalls

    @HostAccess.Export
    public long hcallOpcode(String name) {
        return m.hcallOpcode(name);
    }

    @HostAccess.Export
    public String hcallNames() {
        return Json.write(new ArrayList<>(m.hcalls().all().keySet()));
    }

    /** Returns [rc, outputs...]. */
    @HostAccess.Export
    public long[] hcall(int cpu, long opcode, long[] args) {
        try {
            HcallResult r = m.hcall(cpu, opcode, args);
            long[] out = new long[r.rets().length + 1];
            out[0] = r.rc();
            System.arraycopy(r.rets(), 0, out, 1, r.rets().length);
            boundary(String.format("after hcall 0x%x on cpu %d", opcode, cpu));
            return out;
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public String rcName(long rc) {
        return PaprRc.name(rc);
    }

    @HostAccess.Export
    public int maxHcallArgs() {
        return HcallTable.NARGS;
    }

    // ------------------------------------------------------------------ RTAS

    /** Returns [status, outputs...]; {@code nret} < 0 means the call's usual count. */
    @HostAccess.Export
    public int[] rtas(int cpu, String name, long[] args, int nret) {
        if (nret > PseriesHost.MAX_RTAS_WORDS || args.length > PseriesHost.MAX_RTAS_WORDS) {
            throw new HostErrors.OutOfRange("RTAS " + name + ": at most " + PseriesHost.MAX_RTAS_WORDS
                + " arguments and outputs (the guest's argument buffer limit), got " + args.length + " and " + nret);
        }
        int[] a = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            if (args[i] < Integer.MIN_VALUE || args[i] > 0xffff_ffffL) {
                throw new IllegalArgumentException("RTAS argument " + i + " of " + name + " must fit 32 bits, got " + args[i]);
            }
            a[i] = (int) args[i];
        }
        try {
            RtasResult r = m.rtas(cpu, name, a, nret);
            int[] out = new int[r.rets().length + 1];
            out[0] = r.status();
            System.arraycopy(r.rets(), 0, out, 1, r.rets().length);
            return out;
        } finally {
            rethrowListenerError();
        }
    }

    // ------------------------------------------------------------------ MMIO and RAM

    @HostAccess.Export
    public long load(int cpu, long addr, int size) {
        try {
            return m.load(cpu, addr, size);
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public void store(int cpu, long addr, int size, long value) {
        try {
            m.store(cpu, addr, size, value);
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public long memRead(long addr, int size) {
        return m.memory().read(addr, size);
    }

    @HostAccess.Export
    public void memWrite(long addr, int size, long value) {
        m.memory().write(addr, size, value);
    }

    @HostAccess.Export
    public long memAlloc(long size, long align) {
        return m.memory().alloc(size, align);
    }

    @HostAccess.Export
    public long memSize() {
        return m.memory().size();
    }

    // ------------------------------------------------------------------ CAS

    /** CAS with a guest offer; returns JSON {ok, ...result} or {ok: false, message, rc, fatal}. */
    @HostAccess.Export
    public String casOffer(String offer) {
        StackHeadroom.require("m.cas()");
        GuestOv5.Offer o = GuestOv5.Offer.parse(offer);
        int b23 = GuestOv5.byte23(o, m.platformInterruptModes());
        return casJson(GuestOv5.linuxVector(b23));
    }

    /** CAS with raw option vector 5 bytes (length byte first), or none when {@code bytes} is null. */
    @HostAccess.Export
    public String casRaw(int[] bytes) {
        StackHeadroom.require("m.cas()");
        if (bytes == null) {
            return casJson(null);
        }
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] < 0 || bytes[i] > 255) {
                throw new IllegalArgumentException("option vector byte " + i + " must be 0..255, got " + bytes[i]);
            }
            b[i] = (byte) bytes[i];
        }
        return casJson(OptionVector.decode(b));
    }

    private String casJson(OptionVector ov5) {
        Map<String, Object> r = new LinkedHashMap<>();
        try {
            CasResult c = m.cas(ov5);
            r.put("ok", true);
            r.put("mode", c.mode());
            r.put("requested", c.requested());
            r.put("answer", c.answer());
            r.put("switched", c.switched());
            List<Object> enc = new ArrayList<>();
            for (byte x : c.negotiated().encode()) {
                enc.add(x & 0xff);
            }
            r.put("ov5", enc);
            boundary("after m.cas()");
        } catch (CasException e) {
            r.put("ok", false);
            r.put("message", e.getMessage());
            r.put("rc", e.rc());
            r.put("rcName", e.rc() == 0 ? null : PaprRc.name(e.rc()));
            r.put("fatal", e.fatal());
        } finally {
            rethrowListenerError();
        }
        return Json.write(r);
    }

    @HostAccess.Export
    public String icMode() {
        return m.icMode();
    }

    @HostAccess.Export
    public int platformInterruptModes() {
        return m.platformInterruptModes();
    }

    // ------------------------------------------------------------------ device tree

    /** Whether the machine runs (false once it was migrated away). */
    @HostAccess.Export
    public boolean running() {
        return m.running();
    }

    /** The machine's snapshot stream (see {@code io.pseries.core.snapshot.MachineSnapshot}). */
    @HostAccess.Export
    public byte[] snapshot() {
        return m.snapshot();
    }

    /** Restores a snapshot of a machine of this configuration, or refuses it leaving the machine as it was. */
    @HostAccess.Export
    public void restore(Value buffer) {
        m.restore(Values.bytes(buffer, "m.restore"));
    }

    @HostAccess.Export
    public byte[] fdt() {
        StackHeadroom.require("m.fdt()");
        return m.fdt();
    }

    @HostAccess.Export
    public String dts() {
        StackHeadroom.require("m.dts()");
        return Dts.render(m.deviceTree());
    }

    /** The tree (or the node at {@code path}) as JSON: {name, path, props, children}. */
    @HostAccess.Export
    public String dt(String path) {
        StackHeadroom.require("m.dt()");
        DtNode root = m.deviceTree();
        DtNode n = path == null || path.equals("/") ? root : root.find(path);
        if (n == null) {
            throw new IllegalArgumentException("no device-tree node at " + path);
        }
        return Json.write(DtJson.node(n, path == null ? "/" : path));
    }

    // ------------------------------------------------------------------ lines

    private IrqLine line(long n) {
        return m.irq(n);
    }

    @HostAccess.Export
    public String irqInfo(long n) {
        StackHeadroom.require("m.irq()");
        IrqLine l = line(n);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("irq", l.irq());
        r.put("type", l.lsi() ? "LSI" : "MSI");
        r.put("driver", l.driver());
        return Json.write(r);
    }

    @HostAccess.Export
    public boolean irqLevel(long n) {
        return line(n).level();
    }

    @HostAccess.Export
    public void irqSet(long n, boolean level) {
        try {
            line(n).set(level);
            boundary(String.format("after line 0x%x set %s", n, level));
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public void irqPulse(long n) {
        try {
            line(n).pulse();
            boundary(String.format("after line 0x%x pulsed", n));
        } finally {
            rethrowListenerError();
        }
    }

    // ------------------------------------------------------------------ guest model

    /** Boots the guest model; {@code options} is {@code { xive, timing }} or null. */
    @HostAccess.Export
    public String boot(Value options) {
        StackHeadroom.require("m.boot()");
        Object o = Values.toJava(options, "boot options");
        Map<?, ?> opts = o instanceof Map<?, ?> mm ? mm : Map.of();
        if (o != null && !(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("boot options must be an object such as { xive: 'both' }, got " + options);
        }
        List<String> keys = List.of("xive", "timing");
        for (Object k : opts.keySet()) {
            if (!keys.contains(k)) {
                throw new IllegalArgumentException("unknown boot option '" + k + "'" + Suggest.didYouMean((String) k, keys)
                    + "; valid options: " + String.join(", ", keys));
            }
        }
        Object x = opts.get("xive");
        if (x != null && !(x instanceof String)) {
            throw new IllegalArgumentException("boot option xive must be 'exploitation', 'legacy' or 'both', got " + x);
        }
        GuestTiming t = timing(opts.get("timing"));
        try {
            GuestOs.BootReport r = m.boot(new GuestOs.BootOptions(GuestOv5.Offer.parse(x == null ? "both" : (String) x), t));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("mode", r.mode());
            out.put("cpus", r.cpus());
            out.put("irqs", r.irqs());
            out.put("steps", r.steps());
            boundary("after m.boot()");
            return Json.write(out);
        } catch (CasException e) {
            throw new IllegalStateException("boot failed at CAS: " + e.getMessage(), e);
        } finally {
            rethrowListenerError();
        }
    }

    private static GuestTiming timing(Object o) {
        GuestTiming d = GuestTiming.DEFAULT;
        if (o == null) {
            return d;
        }
        if (!(o instanceof Map<?, ?> v)) {
            throw new IllegalArgumentException("boot option timing must be an object of nanosecond costs, got " + o);
        }
        List<String> keys = List.of("exceptionEntryNs", "mmioNs", "hcallNs", "rtasNs", "handlerNs");
        long[] vals = {d.exceptionEntryNs(), d.mmioNs(), d.hcallNs(), d.rtasNs(), d.handlerNs()};
        for (Map.Entry<?, ?> e : v.entrySet()) {
            int i = keys.indexOf(e.getKey());
            if (i < 0) {
                throw new IllegalArgumentException("unknown boot timing option '" + e.getKey() + "'"
                    + Suggest.didYouMean((String) e.getKey(), keys) + "; valid: " + String.join(", ", keys));
            }
            vals[i] = io.pseries.core.MachineConfig.integerValue("boot option timing." + e.getKey(), e.getValue(), 0, 1_000_000_000L);
        }
        return new GuestTiming(vals[0], vals[1], vals[2], vals[3], vals[4]);
    }

    private GuestOs guest() {
        GuestOs g = m.guest();
        if (g == null) {
            throw new IllegalStateException("the guest is not booted: call m.boot() first");
        }
        return g;
    }

    @HostAccess.Export
    public boolean guestBooted() {
        return m.guest() != null;
    }

    @HostAccess.Export
    public void guestIpi(long from, long to) {
        try {
            guest().ipi(from, to);
            boundary("after m.guest.ipi(" + from + ", " + to + ")");
        } finally {
            rethrowListenerError();
        }
    }

    /** {@code m.guest.requestIrq(irq, name)}: the guest maps and starts a hardware interrupt number; its virq and CPU. */
    @HostAccess.Export
    public String guestRequestIrq(long hwirq, String name) {
        if (hwirq < 0 || hwirq >= m.config().nrIrqs()) {
            throw new IllegalArgumentException(String.format("m.guest.requestIrq: interrupt 0x%x is outside the"
                + " machine's numbers (0 to 0x%x)", hwirq, m.config().nrIrqs() - 1));
        }
        if (!m.irqSpace().isClaimed((int) hwirq)) {
            throw new IllegalArgumentException(String.format("m.guest.requestIrq: interrupt 0x%x was not given to"
                + " the guest (no device or firmware call claimed it)", hwirq));
        }
        try {
            io.pseries.core.guest.IrqDesc d = guest().requestIrq((int) hwirq, name);
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("hwirq", d.hwirq());
            out.put("virq", d.virq());
            out.put("cpu", d.target());
            return Json.write(out);
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public void guestAffinity(long hwirq, long cpu) {
        try {
            guest().setAffinity(hwirq, cpu);
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public String guestStats() {
        StackHeadroom.require("m.guest.stats()");
        return Json.write(guest().stats());
    }

    @HostAccess.Export
    public String guestMode() {
        return guest().mode();
    }

    // ------------------------------------------------------------------ time

    @HostAccess.Export
    public long run(long ns) {
        boundary("m.run(" + ns + ")");
        try {
            return LongCalls.run(m, "m.run", () -> m.run(ns));
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public long runUntilIdle() {
        boundary("m.runUntilIdle()");
        try {
            return LongCalls.run(m, "m.runUntilIdle", m::runUntilIdle);
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public long now() {
        return m.now();
    }

    // ------------------------------------------------------------------ events and state

    /** A subscription; {@link #unsubscribe()} ends it. */
    public static final class Subscription {
        private final Runnable off;

        Subscription(Runnable off) {
            this.off = off;
        }

        @HostAccess.Export
        public void unsubscribe() {
            off.run();
        }
    }

    /**
     * Subscribes {@code deliver} (a JS function taking the event as a JSON string) to a
     * category given by its script name.
     */
    @HostAccess.Export
    public Subscription on(String event, Value deliver) {
        StackHeadroom.require("m.on()");
        TraceCategory c = TraceCategory.fromJsName(event);
        if (c == null) {
            List<String> names = TraceCategory.jsNames();
            throw new IllegalArgumentException("unknown event '" + event + "'" + Suggest.didYouMean(event, names)
                + "; valid events: " + String.join(", ", names));
        }
        return new Subscription(subscribe(c, ev -> {
            if (nesting.depth >= MAX_LISTENER_NESTING) {
                if (listenerError == null) {
                    listenerError = new HostErrors.RunawayRecursion(HostErrors.STACK_OVERFLOW + ": listeners nested more than "
                        + MAX_LISTENER_NESTING + " deep through machine calls (a listener calling the machine that"
                        + " fires it again)");
                }
                return;
            }
            nesting.depth++;
            try {
                StackHeadroom.require("a listener");
                deliver.execute(eventJson(ev));
            } catch (PolyglotException e) {
                if (e.isCancelled() || e.isInterrupted() || e.isExit()) {
                    throw e;
                }
                if (listenerError == null) {
                    listenerError = e;
                }
            } catch (IllegalStateException | IllegalArgumentException | StackOverflowError | HostErrors.RunawayRecursion e) {
                // held, so that the machine finishes the operation that produced the event
                if (listenerError == null) {
                    listenerError = e;
                }
            } finally {
                nesting.depth--;
            }
        }));
    }

    static String eventJson(TraceEvent ev) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("event", ev.category().jsName());
        o.put("name", ev.name());
        o.put("time", ev.timeNs());
        o.put("seq", ev.seq());
        o.put("cpu", ev.cpu() < 0 ? null : ev.cpu());
        for (Map.Entry<String, Object> e : ev.fields().entrySet()) {
            o.putIfAbsent(e.getKey(), e.getValue());
        }
        return Json.write(o);
    }

    @HostAccess.Export
    public String recentEvents() {
        StackHeadroom.require("m.events()");
        List<Object> out = new ArrayList<>();
        for (TraceEvent ev : m.trace().recent()) {
            out.add(eventJson(ev));
        }
        return "[" + String.join(",", out.stream().map(Object::toString).toList()) + "]";
    }

    @HostAccess.Export
    public void traceRing(int n) {
        if (n > PseriesHost.MAX_RECORDED_EVENTS) {
            throw new HostErrors.OutOfRange("m.recordEvents: at most " + PseriesHost.MAX_RECORDED_EVENTS + " events, got " + n);
        }
        m.trace().setRingCapacity(n);
    }

    @HostAccess.Export
    public String pic() {
        StackHeadroom.require("m.pic()");
        return Json.write(m.pic());
    }

    @HostAccess.Export
    public String picText() {
        StackHeadroom.require("m.pic()");
        return m.activeController().picText();
    }

    @HostAccess.Export
    public void reset() {
        StackHeadroom.require("m.reset()");
        try {
            m.reset();
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public String console() {
        return m.console();
    }
}
