package io.pseries.core.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.pseries.core.hcall.HcallDispatch;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.isa.ArchState;
import io.pseries.core.isa.Cpu;
import io.pseries.core.isa.CpuBus;
import io.pseries.core.isa.Msr;
import io.pseries.core.isa.Stop;
import io.pseries.core.mem.AddressSpace;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.sched.Scheduler;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The machine's vCPUs as threads of guest code: one interpreting {@link Cpu} per {@link VCpu},
 * each running in slices on the deterministic {@link Scheduler}.
 *
 * <pre>
 *  slice event (vCPU i, time t) ──► Cpu.run(up to SLICE instructions) ──► next slice at t + retired x cost
 *        loads/stores ──► AddressSpace (RAM, the controllers' ESB/TIMA pages)
 *        sc 1         ──► HcallDispatch (XICS/XIVE hcalls, KVMPPC_H_RTAS, the console, CAS)
 *        EE and the VCpu's OS interrupt input ──► external interrupt at 0x500
 * </pre>
 *
 * <p>Nothing runs until {@link #enable()} (the machine loaded guest code): a machine driven by the
 * guest model never schedules a slice. A vCPU runs while its VCpu is running (the boot CPU,
 * secondaries after RTAS start-cpu, which sets their entry state as QEMU's rtas_start_cpu does:
 * MSR = SF | ME, PC = the start address, R3 = the argument, LPCR[ILE] as the caller's) and its
 * Cpu is not stopped. The machine halts (power-off, a QEMU exit such as a fatal CAS refusal) stop
 * every vCPU at the hcall that caused it. Slices interleave the vCPUs in (time, order) order, so
 * the same machine and payload always give the same run.
 *
 * <p>Threading: the machine's thread.
 */
public final class CpuThreads {
    /** Instructions per slice: how far one vCPU runs before the others get their turn. */
    public static final long SLICE = 1000;
    /** Virtual time one instruction costs. */
    public static final long NS_PER_INSTRUCTION = 1;

    private final Scheduler scheduler;
    private final AddressSpace addressSpace;
    private final HcallDispatch hcalls;
    private final Trace trace;
    private final Supplier<String> halt;
    private final List<Thread> threads = new ArrayList<>();
    private boolean enabled;
    /** LPCR[ILE] as H_SET_MODE last set it (for every vCPU at once); a Cpu made later starts with it. */
    private boolean interruptLittleEndian;
    /** Why a vCPU whose interpreter is made now is stopped: not started yet, or stopped by a reset. */
    private boolean wasReset;
    /** No slice runs past this virtual time (the end of the current run). */
    private long horizon = Long.MAX_VALUE;

    /** @param halt why the machine stopped (power-off, a fatal error), or null while it runs */
    public CpuThreads(Scheduler scheduler, AddressSpace addressSpace, HcallDispatch hcalls, Trace trace,
                      List<VCpu> cpus, Supplier<String> halt) {
        this.scheduler = scheduler;
        this.addressSpace = addressSpace;
        this.hcalls = hcalls;
        this.trace = trace;
        this.halt = halt;
        for (VCpu v : cpus) {
            threads.add(new Thread(v));
        }
    }

    /**
     * One vCPU's thread: its bus to the machine and its slice event. The interpreter (about 1 KB
     * of registers and state) is made the first time something needs it, so a machine driven by
     * the guest model, or 4096 vCPUs of which few run code, does not pay for it.
     */
    private final class Thread implements CpuBus, Scheduler.Recorded {
        final VCpu vcpu;
        private Cpu cpu;
        boolean scheduled;
        long budget = Long.MAX_VALUE;

        Thread(VCpu vcpu) {
            this.vcpu = vcpu;
        }

        Cpu cpu() {
            Cpu c = cpu;
            if (c == null) {
                c = new Cpu(this, NS_PER_INSTRUCTION);
                c.setInterruptLittleEndian(interruptLittleEndian);
                c.stop(Stop.Kind.STOPPED, notRunning());
                cpu = c;
            }
            return c;
        }

        /** Why the vCPU's interpreter is stopped, without making it. */
        String stopReason() {
            if (cpu == null) {
                return notRunning();
            }
            Stop s = cpu.stopped();
            return s == null ? null : s.message();
        }

        private String notRunning() {
            return wasReset ? "the machine was reset" : vcpu + " has not been started";
        }

        boolean runnable() {
            return enabled && vcpu.running() && cpu().stopped() == null && budget > 0 && halt.get() == null;
        }

        void schedule(long at) {
            if (!scheduled && runnable()) {
                scheduled = true;
                scheduler.at(at, this);
            }
        }

        @Override
        public void fire(long now) {
            scheduled = false;
            if (!runnable()) {
                return;
            }
            long n = Math.min(SLICE, budget);
            if (horizon != Long.MAX_VALUE) {
                n = Math.min(n, (horizon - now) / NS_PER_INSTRUCTION);
                if (n <= 0) {
                    schedule(horizon + 1);
                    return;
                }
            }
            long done = cpu().run(n);
            if (budget != Long.MAX_VALUE) {
                budget -= done;
            }
            schedule(now + Math.max(1, done) * NS_PER_INSTRUCTION);
        }

        @Override
        public GuestMemory memory() {
            return addressSpace.ram();
        }

        @Override
        public long loadIo(long addr, int size) {
            return addressSpace.load(vcpu, addr, size);
        }

        @Override
        public void storeIo(long addr, int size, long value) {
            addressSpace.store(vcpu, addr, size, value);
        }

        @Override
        public long hcall(long opcode, long[] regs) {
            long rc;
            if (trace.on(TraceCategory.HCALL)) {
                long[] in = regs.clone();
                rc = hcalls.dispatch(vcpu, opcode, regs);
                HcallTable.Entry e = hcalls.table().lookup(opcode);
                int nret = e == null ? 0 : e.nret();
                trace.emit(TraceCategory.HCALL, vcpu.index(), e == null ? String.format("hcall_0x%x", opcode) : e.name(),
                    "opcode", opcode, "args", java.util.Arrays.stream(in).boxed().toList(), "rc", rc,
                    "rcName", PaprRc.name(rc), "rets", java.util.Arrays.stream(regs, 0, nret).boxed().toList());
            } else {
                rc = hcalls.dispatch(vcpu, opcode, regs);
            }
            String why = halt.get();
            if (why != null) {
                cpu().stop(Stop.Kind.STOPPED, why);
            } else if (!vcpu.running()) {
                cpu().stop(Stop.Kind.STOPPED, vcpu + " stopped itself (RTAS stop-self)");
            }
            return rc;
        }

        @Override
        public boolean externalInterrupt() {
            return vcpu.osInterrupt();
        }

        @Override
        public long nowNs() {
            return scheduler.now();
        }
    }

    /** PAPR H_SET_MODE and its resources (QEMU's h_set_mode). */
    public static final int H_SET_MODE = 0x31C;
    static final int RESOURCE_ADDR_TRANS_MODE = 3;
    static final int RESOURCE_LE = 4;

    /** Registers the hcalls that change CPU state: H_SET_MODE. */
    public void register(HcallTable t) {
        t.register(H_SET_MODE, "H_SET_MODE", 0, (cpu, a) -> setMode(a[0], a[1], a[2], a[3]));
    }

    /**
     * H_SET_MODE(mflags, resource, value1, value2) as QEMU answers it: resource 4 sets LPCR[ILE] on
     * every vCPU (mflags 0 big-endian, 1 little-endian interrupts); resource 3 sets LPCR[AIL], where
     * 1 is reserved (AIL moves vectors only with relocation on, which this model does not run, so it
     * is recorded by nothing else); value1/value2 must be 0 (H_P3/H_P4); any other resource is H_P2
     * (the DAWR0 watchpoint is not modelled).
     */
    long setMode(long mflags, long resource, long value1, long value2) {
        if (resource != RESOURCE_LE && resource != RESOURCE_ADDR_TRANS_MODE) {
            return PaprRc.H_P2;
        }
        if (value1 != 0) {
            return PaprRc.H_P3;
        }
        if (value2 != 0) {
            return PaprRc.H_P4;
        }
        if (resource == RESOURCE_ADDR_TRANS_MODE) {
            return mflags == 0 || mflags == 2 || mflags == 3 ? PaprRc.H_SUCCESS : PaprRc.H_UNSUPPORTED_FLAG;
        }
        if (mflags != 0 && mflags != 1) {
            return PaprRc.H_UNSUPPORTED_FLAG;
        }
        interruptLittleEndian = mflags == 1;
        for (Thread t : threads) {
            if (t.cpu != null) {
                t.cpu.setInterruptLittleEndian(interruptLittleEndian);
            }
        }
        return PaprRc.H_SUCCESS;
    }

    /** The interpreter of vCPU {@code index}. */
    public Cpu cpu(int index) {
        return threads.get(index).cpu();
    }

    public int count() {
        return threads.size();
    }

    /** Whether guest code runs on this machine (after a payload was loaded). */
    public boolean enabled() {
        return enabled;
    }

    /** Lets the vCPUs run guest code from now on and schedules those that can run. */
    public void enable() {
        enabled = true;
        kick();
    }

    /** Schedules (at the current time) every vCPU that can run and has no slice pending. */
    public void kick() {
        for (Thread t : threads) {
            t.schedule(scheduler.now());
        }
    }

    /**
     * RTAS start-cpu's entry state for {@code target} (QEMU's rtas_start_cpu): MSR = SF | ME,
     * PC = {@code entry}, R3 = {@code r3}, interrupts' endianness as the caller's.
     */
    public void start(VCpu caller, VCpu target, long entry, long r3) {
        if (!enabled) {
            return;
        }
        Thread t = threads.get(target.index());
        Cpu c = t.cpu();
        c.putMsr(Msr.SF | Msr.ME);
        c.setPc(entry);
        c.setGpr(3, r3);
        c.setInterruptLittleEndian(threads.get(caller.index()).cpu().interruptLittleEndian());
        c.resume();
        t.schedule(scheduler.now());
    }

    /** Limits vCPU {@code index} to {@code n} more instructions (Long.MAX_VALUE: no limit). */
    public void setBudget(int index, long n) {
        threads.get(index).budget = n;
    }

    public long budget(int index) {
        return threads.get(index).budget;
    }

    /** Whether any vCPU has a slice pending. */
    public boolean anyScheduled() {
        for (Thread t : threads) {
            if (t.scheduled) {
                return true;
            }
        }
        return false;
    }

    /** How a run of guest code ended. */
    public enum Ending {
        /** The condition the caller waited for holds (instructions done, breakpoint reached). */
        DONE,
        /** The machine halted: RTAS power-off or a fatal error (the message says which). */
        HALTED,
        /** No vCPU can run any more: each stopped (the message names the boot CPU's reason). */
        STOPPED,
        /** The virtual-time limit passed first. */
        TIMEOUT
    }

    /** The end of a run and its reason, for a user. */
    public record Outcome(Ending ending, String message) {
    }

    /**
     * Fires slices (and whatever else the scheduler holds) one at a time until {@code done} holds,
     * the machine halts, no vCPU can run, or virtual time would pass {@code deadlineNs}.
     */
    public Outcome runUntil(long deadlineNs, java.util.function.BooleanSupplier done) {
        kick();
        horizon = deadlineNs;
        try {
            return loop(deadlineNs, done);
        } finally {
            horizon = Long.MAX_VALUE;
        }
    }

    private Outcome loop(long deadlineNs, java.util.function.BooleanSupplier done) {
        while (true) {
            String why = halt.get();
            if (why != null) {
                return new Outcome(Ending.HALTED, why);
            }
            if (done.getAsBoolean()) {
                return new Outcome(Ending.DONE, "done");
            }
            if (!anyScheduled()) {
                return new Outcome(Ending.STOPPED, stopMessage());
            }
            if (!scheduler.step(deadlineNs)) {
                scheduler.runUntil(deadlineNs);
                return new Outcome(Ending.TIMEOUT, String.format("timeout: %d ns of virtual time passed", deadlineNs));
            }
        }
    }

    private String stopMessage() {
        StringBuilder b = new StringBuilder();
        for (Thread t : threads) {
            String s = t.stopReason();
            if (s != null && t.vcpu.running()) {
                b.append(b.isEmpty() ? "" : "; ").append(t.vcpu).append(": ").append(s);
            }
        }
        return b.isEmpty() ? "every vCPU is stopped" : b.toString();
    }

    // ------------------------------------------------------------------ snapshot

    /**
     * The threads' state as data: whether guest code runs, LPCR[ILE] as H_SET_MODE last set it,
     * whether a reset stopped them, and for each vCPU whose interpreter was made ({@code made},
     * ascending) its CPU state, its pending slice ({@code sliceAt}/{@code sliceSeq}, -1: none)
     * and what is left of its instruction budget.
     */
    public record Saved(boolean enabled, boolean interruptLittleEndian, boolean wasReset, int[] made,
                        ArchState[] cpus, long[] sliceAt, long[] sliceSeq, long[] budget) {
    }

    /** The state of every thread, for a snapshot (each pending slice found in the scheduler: a scan). */
    public Saved save() {
        int n = 0;
        for (Thread t : threads) {
            n += t.cpu != null ? 1 : 0;
        }
        int[] made = new int[n];
        ArchState[] cpus = new ArchState[n];
        long[] at = new long[n];
        long[] seq = new long[n];
        long[] budget = new long[n];
        int k = 0;
        for (int i = 0; i < threads.size(); i++) {
            Thread t = threads.get(i);
            if (t.cpu == null) {
                continue;
            }
            made[k] = i;
            cpus[k] = t.cpu.saveState();
            long[] e = t.scheduled ? scheduler.find(t) : null;
            at[k] = e == null ? -1 : e[0];
            seq[k] = e == null ? -1 : e[1];
            budget[k] = t.budget;
            k++;
        }
        return new Saved(enabled, interruptLittleEndian, wasReset, made, cpus, at, seq, budget);
    }

    /**
     * Puts a snapshot's state back (after the scheduler's clock was restored, which dropped every
     * pending event): interpreters not in {@code s} are dropped, the others made and loaded, and
     * each pending slice scheduled again at its recorded time and order. The caller validated it.
     */
    public void restore(Saved s) {
        enabled = s.enabled();
        interruptLittleEndian = s.interruptLittleEndian();
        wasReset = s.wasReset();
        for (Thread t : threads) {
            t.scheduled = false;
            t.budget = Long.MAX_VALUE;
            if (t.cpu != null && java.util.Arrays.binarySearch(s.made(), t.vcpu.index()) < 0) {
                t.cpu = null;
            }
        }
        for (int k = 0; k < s.made().length; k++) {
            Thread t = threads.get(s.made()[k]);
            t.cpu().loadState(s.cpus()[k]);
            t.budget = s.budget()[k];
            if (s.sliceAt()[k] >= 0) {
                t.scheduled = true;
                scheduler.restoreEvent(s.sliceAt()[k], s.sliceSeq()[k], t);
            }
        }
    }

    /** Machine reset: every vCPU stops; guest code must be loaded again. */
    public void reset() {
        enabled = false;
        wasReset = true;
        for (Thread t : threads) {
            t.scheduled = false;
            t.budget = Long.MAX_VALUE;
            if (t.cpu != null) {
                t.cpu.stop(Stop.Kind.STOPPED, "the machine was reset");
            }
        }
    }
}
