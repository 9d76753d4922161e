package io.pseries.script.host;

import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.HostAccess;

import io.pseries.core.Machine;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;
import io.pseries.core.util.Json;

/**
 * The Java half of a script's machine object: the machine itself (which a checkpoint may
 * replace), the held listener errors, and the raw ABI and time calls a script makes in loops
 * ({@code m.hcall}, {@code m.rtas}, {@code m.load}/{@code m.store}, {@code m.mem}, {@code m.run},
 * {@code m.runUntilIdle}, {@code m.now}). The rest of the API is bound in its own files, all
 * reached from here: {@link GuestBinding} ({@code m.boot}, {@code m.guest}), {@link PlatformBinding}
 * ({@code m.config}, {@code m.info}, {@code m.host}, CAS, device tree, lines), {@link StateBinding}
 * (snapshot, events, {@code m.pic}) and {@link CpuHost} (guest code). Exported methods take and
 * return only primitives, Java arrays and JSON strings; {@code pseries-api.js} turns them into
 * the plain JS objects, numbers and BigInts that scripts see. Nothing here is visible to scripts
 * by name.
 *
 * <pre>
 *  pseries-api.js ─► MachineHost ─┬─ guest()    ─► GuestBinding    ─┐
 *                                 ├─ platform() ─► PlatformBinding ─┼─► h.machine() (the current one)
 *                                 ├─ state()    ─► StateBinding    ─┘
 *                                 └─ cpuHost()  ─► CpuHost (moved to a checkpoint's machine)
 * </pre>
 *
 * <p>Threading: called on the script's thread only; trace listeners run on it too, while the
 * machine is inside the call that produced the event. An exception thrown by a listener is
 * held until that call has finished, then rethrown to the script, so the machine never stops
 * half-way through an operation.
 */
public final class MachineHost {
    /** The listener nesting of one script context (shared by its machines: a listener may drive another machine). */
    public static final class Nesting {
        int depth;
    }

    // not final: a checkpoint (--checkpoint-invariance) puts a restored machine in the old one's place
    private Machine m;
    private final Nesting nesting;
    private final CpuHost cpuHost;
    private Throwable listenerError;
    /** Every trace subscription (the script's and the checkpoint recorder's), re-made on a checkpoint's machine. */
    private final List<Sub> subs = new ArrayList<>();
    /** The shared host this machine was made on (host.machine), or null: a private one. */
    private PhysicalHostBinding sharedHost;
    /** The host's running totals as the script left them ({@link #detach}), for the restored machine. */
    private io.pseries.core.host.HostStats totals;
    /** The in-kernel device pages the machine's mappings held at {@link #detach} (put back if refused). */
    private java.util.Map<io.pseries.core.host.Vma, long[]> pagesAtDetach = java.util.Map.of();
    private final Checkpoints checkpoints = Checkpoints.current();
    private final GuestBinding guest = new GuestBinding(this);
    private final PlatformBinding platform = new PlatformBinding(this);
    private final StateBinding state = new StateBinding(this);

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
        this.cpuHost = new CpuHost(this, m);
        if (checkpoints != null) {
            checkpoints.register(this);
        }
    }

    Runnable subscribe(TraceCategory c, java.util.function.Consumer<TraceEvent> l) {
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

    /** This machine shares its simulated host with others (host.machine): a checkpoint replaces the whole group. */
    void markSharedHost(PhysicalHostBinding host) {
        sharedHost = host;
    }

    /**
     * Whether checkpoint invariance is recording (./pseries test --checkpoint-invariance): callers
     * build a boundary's description only then, so a script's calls in a loop never format text.
     */
    boolean checkpointing() {
        return checkpoints != null;
    }

    /** A point the script's call makes (checkpoint invariance chooses among them). */
    void boundary(String what) {
        if (checkpoints != null) {
            checkpoints.boundary(this, what);
        }
    }

    /**
     * Replaces the machine by a fresh one restored from its snapshot (listeners moved, the trace
     * numbering carried on); a machine on a shared host, with every machine of its host
     * ({@link HostGroupCheckpoint}). Returns null, or why this machine cannot be covered yet.
     */
    String checkpoint() {
        if (sharedHost != null) {
            return HostGroupCheckpoint.take(sharedHost, this);
        }
        String why = notCheckpointable();
        if (why != null) {
            return why;
        }
        String stopped = m.stopReason();
        // a VMM file a script opened or wired itself (m.host.eventfd, m.host.irqfd: a private host has no
        // PCI functions, so every file and irqfd is the script's) is in the host stream only
        boolean viaHost = m.host().process().fileCount() > 0 || !m.host().vm().irqfds().list().isEmpty();
        io.pseries.core.trace.Trace numbering = detach();
        try {
            byte[] snap = null;
            io.pseries.core.snapshot.HostGroupSnapshot.Saved saved = null;
            try {
                if (viaHost) {
                    saved = io.pseries.core.snapshot.HostGroupSnapshot.save(m.host().physical(), java.util.List.of(m));
                } else {
                    snap = m.snapshot();
                }
            } catch (io.pseries.core.snapshot.SnapshotException e) {
                refused(numbering);
                return e.getMessage();
            }
            Machine fresh;
            try {
                if (viaHost) {
                    fresh = io.pseries.core.snapshot.HostGroupSnapshot.restoreAsCheckpoint(m.host().physical(), saved,
                        java.util.List.of(m.config()), java.util.Collections.singletonList(stopped)).machines().get(0);
                } else {
                    fresh = Machine.create(m.config());
                    // the fresh host's mappings end with exactly the pages the old one had faulted
                    io.pseries.core.snapshot.MachineSnapshot.restoreAsCheckpoint(fresh, snap, stopped);
                }
            } catch (RuntimeException e) {
                refused(numbering);
                return "its snapshot does not restore into a fresh machine: " + e.getMessage();
            }
            install(fresh, numbering);
            return null;
        } finally {
            reattach();
        }
    }

    /**
     * Why this machine cannot be checkpointed at this point (alone, or with the others of its
     * host), or null. A stopped machine (one pseries.migrate moved away) can be: its stream is
     * taken without a stop and run of its own, and its replacement stays stopped for the same
     * reason, on a shared host too.
     */
    String notCheckpointable() {
        if (nesting.depth > 0 || cpuHost.inRun()) {
            return "the boundary is inside an event listener, while the machine is mid-operation";
        }
        return null;
    }

    /**
     * The checkpoint's own work (stop, pre_save, post_load) is not the script's to see: every
     * subscription is taken off; returns the numbering as the script left it (the stop and run
     * handlers' own events are not counted).
     */
    io.pseries.core.trace.Trace detach() {
        for (Sub s : subs) {
            s.off.run();
        }
        io.pseries.core.trace.Trace numbering = new io.pseries.core.trace.Trace(() -> 0);
        numbering.continueFrom(m.trace());
        pagesAtDetach = io.pseries.core.snapshot.MachineSnapshot.devicePages(m);
        // the totals too: the snapshot's own stop and run handlers fault pages in on this machine
        totals = new io.pseries.core.host.HostStats();
        totals.continueFrom(m.host().stats());
        return numbering;
    }

    /**
     * A restored machine takes this one's place: the trace numbering and the host's running
     * totals ({@code m.host.stats()}: faults, zaps...) continue from the old machine's as they
     * were at {@link #detach}.
     */
    void install(Machine fresh, io.pseries.core.trace.Trace numbering) {
        fresh.trace().continueFrom(numbering);
        fresh.host().stats().continueFrom(totals);
        m = fresh;
        cpuHost.moveTo(fresh);
    }

    /**
     * A refused checkpoint after this machine stopped and ran again for its stream: the trace
     * numbering, the running totals and the device pages the mappings hold go back to what the
     * script left ({@link #detach}).
     */
    void refused(io.pseries.core.trace.Trace numbering) {
        // the snapshot's stop and run faulted pages in: the mappings go back to what they held
        io.pseries.core.snapshot.MachineSnapshot.zapBackTo(m, pagesAtDetach);
        m.trace().continueFrom(numbering);
        m.host().stats().continueFrom(totals);
    }

    /** Every subscription made again, on the machine in place now. */
    void reattach() {
        for (Sub s : subs) {
            s.off = m.trace().subscribe(s.category, s.listener);
        }
    }

    /** The guest-code half: m.loadElf, m.cpu(n), the exception and instruction events. */
    @HostAccess.Export
    public CpuHost cpuHost() {
        return cpuHost;
    }

    /** m.boot, m.guest. */
    @HostAccess.Export
    public GuestBinding guest() {
        return guest;
    }

    /** m.config, m.info, m.host, CAS, the device tree, the lines. */
    @HostAccess.Export
    public PlatformBinding platform() {
        return platform;
    }

    /** Snapshot, events, m.pic. */
    @HostAccess.Export
    public StateBinding state() {
        return state;
    }

    public Machine machine() {
        return m;
    }

    Nesting nesting() {
        return nesting;
    }

    /** Keeps a listener's exception (the first one) until the machine call that fired it is done. */
    void holdListenerError(Throwable e) {
        if (listenerError == null) {
            listenerError = e;
        }
    }

    /** Whether a listener's exception waits to be rethrown (a batch of calls stops there). */
    boolean holdsListenerError() {
        return listenerError != null;
    }

    void rethrowListenerError() {
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
            if (checkpoints != null) {
                boundary(String.format("after hcall 0x%x on cpu %d", opcode, cpu));
            }
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

    /** {@code m.port(cpu, addr, size)}: a resolved access site (arguments checked by the caller). */
    @HostAccess.Export
    public PortBinding port(int cpu, long addr, int size) {
        return new PortBinding(this, cpu, addr, size);
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

    // ------------------------------------------------------------------ state

    /** Whether the machine runs (false once it was migrated away). */
    @HostAccess.Export
    public boolean running() {
        return m.running();
    }

    // ------------------------------------------------------------------ time

    /** {@code m.run({ ns })}: runs the machine for {@code ns} of virtual time; the virtual time after. */
    @HostAccess.Export
    public long run(long ns) {
        if (checkpoints != null) {
            boundary("m.run(" + ns + ")");
        }
        try {
            Machine mm = m;
            LongCalls.run(mm, "m.run", () -> mm.run(ns));
            return m.now();
        } finally {
            rethrowListenerError();
        }
    }

    /** {@code m.runUntilIdle()}: runs until no event is due; the virtual time after (one call for the JS loop). */
    @HostAccess.Export
    public long runUntilIdle() {
        boundary("m.runUntilIdle()");
        try {
            Machine mm = m;
            LongCalls.run(mm, "m.runUntilIdle", mm::runUntilIdle);
            return m.now();
        } finally {
            rethrowListenerError();
        }
    }

    @HostAccess.Export
    public long now() {
        return m.now();
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
