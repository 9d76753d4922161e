package io.pseries.core.isa;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.mem.GuestMemory;

/**
 * One POWER9 hardware thread running guest code by interpretation: its architected registers,
 * the fetch/execute loop, real-mode storage access and interrupt delivery.
 *
 * <p>Flow: {@link #run(long)} executes up to N instructions. Each instruction is fetched from
 * guest RAM in the byte order MSR[LE] selects, decoded by its primary opcode and executed by
 * the unit for its family ({@link FixedPoint}, {@link RotateShift}, {@link LoadStore},
 * {@link Branch}, {@link SystemOps}). Interrupts (external input, decrementer) are taken
 * between instructions when MSR[EE] allows; the CPU looks for them only when something could
 * have changed them (an MMIO access or hcall, an MSR or DEC write, the start of a slice), so
 * the plain loop checks a single flag per instruction.
 *
 * <p>Only real mode is modelled (MSR[IR] = MSR[DR] = 0); setting either stops the CPU with a
 * {@link Stop.Kind#RELOCATION} reason. Effective addresses are truncated to 32 bits when
 * MSR[SF] = 0, and real addresses ignore the top 4 bits, as in the ISA's real addressing.
 *
 * <p>Threading: single-threaded, on the machine's thread.
 */
public final class Cpu {
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** Real addressing ignores EA bits 0:3. */
    static final long REAL_MASK = 0x0FFF_FFFF_FFFF_FFFFL;
    /** PVR of QEMU's default POWER9 (DD2.0), as in the device tree's cpu-version. */
    public static final long PVR_POWER9 = 0x004E_1200L;

    final CpuBus bus;
    final GuestMemory mem;
    private final long ramSize;

    // architected state
    final long[] gpr = new long[32];
    long pc;
    long cia;
    long lr;
    long ctr;
    int cr;
    boolean so;
    boolean ov;
    boolean ca;
    boolean ov32;
    boolean ca32;
    int xerBytes;
    long msr;
    long srr0;
    long srr1;
    final long[] sprg = new long[4];
    long dar;
    int dsisr;
    long cfar;
    long amr;
    long iamr;
    long uamor;
    long pidr;
    long dscr;
    long ppr;
    long tar;
    long ctrl = 1;
    /** LPCR[ILE]: interrupts enter little-endian (set by the hypervisor through H_SET_MODE). */
    boolean interruptLittleEndian;

    // derived mode bits, updated with the MSR
    boolean sf;
    boolean le;

    /** The load-and-reserve address and the value loaded (-1: no reservation). */
    long reserveAddr = -1;
    long reserveValue;

    final TimeBase time;
    final RealStorage storage;
    final long[] hcallRegs = new long[9];

    /** Set when an interrupt may have become pending or a stop was requested. */
    boolean attention = true;
    private Stop stop;
    long retired;
    /** Where the current chunk of a slice ends; a DEC write ends it early so the next one is re-timed. */
    long chunkEnd;

    private byte[] fetchPage;
    private long fetchBase = -1;

    private final List<CpuObserver> observers = new ArrayList<>();
    private boolean observed;
    private long[] breakpoints = new long[0];
    /** The breakpoint the next run resumes past (-1: none); package-private for {@link ArchState}. */
    long resumeBreakpoint = -1;

    public Cpu(CpuBus bus, long nsPerInstruction) {
        this.bus = bus;
        this.mem = bus.memory();
        this.ramSize = mem.size();
        this.time = new TimeBase(this, nsPerInstruction);
        this.storage = new RealStorage(this);
        setMsr(0);
    }

    // ------------------------------------------------------------------ run loop

    /**
     * Executes up to {@code max} instructions, fewer if the CPU stops or reaches a breakpoint.
     * Returns the number executed. Interrupts taken count as no instruction.
     */
    public long run(long max) {
        if (stop != null) {
            return 0;
        }
        time.sliceStart(bus.nowNs(), retired);
        long start = retired;
        long end = retired + max;
        attention = true;
        while (retired < end && stop == null) {
            long chunk = Math.min(end - retired, time.instructionsUntilDecrementer());
            if (chunk <= 0) {
                chunk = 1;
            }
            chunkEnd = retired + chunk;
            if (observed) {
                runObserved();
            } else {
                runPlain();
            }
            attention = true;
        }
        return retired - start;
    }

    private void runPlain() {
        while (retired < chunkEnd) {
            if (attention && checkAttention()) {
                return;
            }
            long p = pc;
            if ((p & ~0xFFFFL) != fetchBase && !refill(p)) {
                return;
            }
            int w = (int) BE32.get(fetchPage, (int) (p & 0xFFFF));
            if (le) {
                w = Integer.reverseBytes(w);
            }
            cia = p;
            pc = sf ? p + 4 : (p + 4) & 0xFFFF_FFFFL;
            retired++;
            execute(w);
        }
    }

    private void runObserved() {
        while (retired < chunkEnd) {
            if (attention && checkAttention()) {
                return;
            }
            long p = pc;
            if ((p & ~0xFFFFL) != fetchBase && !refill(p)) {
                return;
            }
            if (p != resumeBreakpoint && isBreakpoint(p)) {
                resumeBreakpoint = p;
                stop = new Stop(Stop.Kind.BREAKPOINT, p, 0, String.format("breakpoint at 0x%x", p));
                return;
            }
            resumeBreakpoint = -1;
            int w = (int) BE32.get(fetchPage, (int) (p & 0xFFFF));
            if (le) {
                w = Integer.reverseBytes(w);
            }
            for (CpuObserver o : observers) {
                if (o.wantsInstructions()) {
                    o.instruction(this, p, w);
                }
            }
            cia = p;
            pc = sf ? p + 4 : (p + 4) & 0xFFFF_FFFFL;
            retired++;
            execute(w);
        }
    }

    /** Takes a pending interrupt if MSR[EE] allows; true when the loop must end (stopped). */
    private boolean checkAttention() {
        attention = false;
        if (stop != null) {
            return true;
        }
        if ((msr & Msr.EE) != 0) {
            if (bus.externalInterrupt()) {
                interrupt(Vector.EXTERNAL, pc, 0);
            } else if (time.decrementerPending()) {
                interrupt(Vector.DECREMENTER, pc, 0);
            }
        }
        return stop != null;
    }

    private boolean refill(long p) {
        long ra = p & REAL_MASK;
        if (ra >= ramSize) {
            stop = new Stop(Stop.Kind.FETCH_OUTSIDE_RAM, p, 0,
                String.format("instruction fetch at 0x%x is outside guest RAM (size 0x%x)", p, ramSize));
            return false;
        }
        fetchPage = mem.page(ra);
        fetchBase = p & ~0xFFFFL;
        return true;
    }

    private void execute(int w) {
        switch (w >>> 26) {
            case 2, 3 -> SystemOps.trapImmediate(this, w);
            case 7, 8, 10, 11, 12, 13, 14, 15 -> FixedPoint.immediate(this, w);
            case 16 -> Branch.bc(this, w);
            case 17 -> SystemOps.sc(this, w);
            case 18 -> Branch.b(this, w);
            case 19 -> Branch.op19(this, w);
            case 20, 21, 23 -> RotateShift.rlw(this, w);
            case 24, 25, 26, 27, 28, 29 -> FixedPoint.logicalImmediate(this, w);
            case 30 -> RotateShift.rld(this, w);
            case 31 -> Op31.execute(this, w);
            case 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45 -> LoadStore.dForm(this, w);
            case 46, 47 -> LoadStore.multiple(this, w);
            case 58, 62 -> LoadStore.dsForm(this, w);
            default -> illegal(w);
        }
    }

    // ------------------------------------------------------------------ interrupts

    /** The instruction being executed is illegal: a program interrupt (ISA 3.0 Book III 6.5.9). */
    void illegal(int w) {
        interrupt(Vector.PROGRAM, cia, Vector.SRR1_PROGRAM_ILLEGAL);
        if (stop != null && stop.kind() == Stop.Kind.NO_HANDLER) {
            stop = new Stop(Stop.Kind.ILLEGAL_INSTRUCTION, cia, w,
                String.format("illegal instruction 0x%08x at 0x%x", w, cia));
        }
    }

    /** A privileged instruction in problem state. */
    void privileged() {
        interrupt(Vector.PROGRAM, cia, Vector.SRR1_PROGRAM_PRIVILEGED);
    }

    /**
     * Delivers an interrupt: SRR0 = {@code srr0}, SRR1 = the MSR without its cause bits, plus
     * {@code causeBits}; the new MSR keeps ME (and HV), sets SF, takes LE from LPCR[ILE] and
     * clears everything else (EE, PR, IR, DR, RI...), as AIL = 0 gives.
     */
    void interrupt(Vector v, long srr0Value, long causeBits) {
        srr0 = srr0Value;
        srr1 = (msr & ~Msr.SRR1_CAUSE_BITS) | causeBits;
        long newMsr = (msr & (Msr.ME | Msr.HV)) | Msr.SF | (interruptLittleEndian ? Msr.LE : 0);
        setMsr(newMsr);
        reserveAddr = -1;
        pc = v.offset;
        if (stop == null && firstWordAt(v.offset) == 0) {
            stop = new Stop(Stop.Kind.NO_HANDLER, srr0Value, 0, String.format(
                "%s interrupt from 0x%x but there is no handler at 0x%x", v.label, srr0Value, v.offset));
        }
        for (CpuObserver o : observers) {
            o.exception(this, v, srr0, srr1);
        }
    }

    private int firstWordAt(long addr) {
        return mem.contains(addr, 4) ? mem.read32(addr) : 0;
    }

    /** Writes the MSR (after the caller applied its instruction's masking rules). */
    void setMsr(long v) {
        msr = v;
        sf = (v & Msr.SF) != 0;
        le = (v & Msr.LE) != 0;
        attention = true;
        if ((v & (Msr.IR | Msr.DR)) != 0 && stop == null) {
            stop = new Stop(Stop.Kind.RELOCATION, cia, 0, String.format(
                "MSR 0x%x at 0x%x turns on address translation (IR/DR), which this model does not run", v, cia));
        }
    }

    // ------------------------------------------------------------------ storage access (RealStorage)

    long load(long ea, int size, boolean reversed) {
        return storage.load(ea, size, reversed);
    }

    void store(long ea, int size, long v, boolean reversed) {
        storage.store(ea, size, v, reversed);
    }

    /** The real address for an effective address (32-bit truncation when MSR[SF] = 0). */
    long real(long ea) {
        return (sf ? ea : ea & 0xFFFF_FFFFL) & REAL_MASK;
    }

    // ------------------------------------------------------------------ helpers for the units

    /** Next-instruction or target address in the current mode. */
    long mode(long addr) {
        return sf ? addr : addr & 0xFFFF_FFFFL;
    }

    /** CR0 from a result: LT/GT/EQ by signed comparison with 0 (low word in 32-bit mode), SO copied. */
    void setCr0(long result) {
        long r = sf ? result : (int) result;
        int f = r < 0 ? 8 : r > 0 ? 4 : 2;
        cr = (cr & 0x0FFF_FFFF) | ((f | (so ? 1 : 0)) << 28);
    }

    /** Sets CR field {@code bf} (0..7) to {@code value} (4 bits). */
    void setCrField(int bf, int value) {
        int sh = 28 - 4 * bf;
        cr = (cr & ~(0xF << sh)) | ((value & 0xF) << sh);
    }

    long xer() {
        return (so ? 0x8000_0000L : 0) | (ov ? 0x4000_0000L : 0) | (ca ? 0x2000_0000L : 0)
            | (ov32 ? 0x8_0000L : 0) | (ca32 ? 0x4_0000L : 0) | (xerBytes & 0x7F);
    }

    void setXer(long v) {
        so = (v & 0x8000_0000L) != 0;
        ov = (v & 0x4000_0000L) != 0;
        ca = (v & 0x2000_0000L) != 0;
        ov32 = (v & 0x8_0000L) != 0;
        ca32 = (v & 0x4_0000L) != 0;
        xerBytes = (int) (v & 0x7F);
    }

    // ------------------------------------------------------------------ public view

    /** Why the CPU stopped, or {@code null} while it can run. */
    public Stop stopped() {
        return stop;
    }

    /** Stops the CPU (the guest or the machine asked); {@link #resume()} undoes it. */
    public void stop(Stop.Kind kind, String message) {
        stop = new Stop(kind, pc, 0, message);
    }

    /** Clears a stop so {@link #run} executes again (after a breakpoint, or start-cpu). */
    public void resume() {
        stop = null;
        attention = true;
    }

    /** Instructions retired since creation. */
    public long retired() {
        return retired;
    }

    public long pc() {
        return pc;
    }

    public void setPc(long v) {
        pc = v;
    }

    public long gpr(int n) {
        return gpr[n];
    }

    public void setGpr(int n, long v) {
        gpr[n] = v;
    }

    public long msr() {
        return msr;
    }

    /** Sets the MSR as the firmware or a debugger does (no instruction's masking). */
    public void putMsr(long v) {
        setMsr(v);
    }

    public int cr() {
        return cr;
    }

    public long lr() {
        return lr;
    }

    public long ctr() {
        return ctr;
    }

    public long srr0() {
        return srr0;
    }

    public long srr1() {
        return srr1;
    }

    /** The XER as mfxer reads it (SO, OV, CA, OV32, CA32, byte count). */
    public long xerValue() {
        return xer();
    }

    /** The timebase now (512 MHz from the machine's virtual time). */
    public long timebase() {
        return time.timebase();
    }

    /** LPCR[ILE]: whether interrupts enter little-endian. */
    public void setInterruptLittleEndian(boolean v) {
        interruptLittleEndian = v;
    }

    public boolean interruptLittleEndian() {
        return interruptLittleEndian;
    }

    /** Tells the CPU its interrupt input may have changed (taken at the next instruction). */
    public void poke() {
        attention = true;
    }

    /** The registers as data: GPRs, LR, CTR, CR, XER, MSR, SRR0/1, PC and the SPRs a supervisor uses. */
    public Map<String, Object> registers() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Long> g = new ArrayList<>();
        for (long v : gpr) {
            g.add(v);
        }
        m.put("gpr", g);
        m.put("pc", pc);
        m.put("lr", lr);
        m.put("ctr", ctr);
        m.put("cr", (long) cr & 0xFFFF_FFFFL);
        m.put("xer", xer());
        m.put("msr", msr);
        m.put("srr0", srr0);
        m.put("srr1", srr1);
        m.put("dec", time.decrementer());
        m.put("tb", time.timebase());
        m.put("sprg", List.of(sprg[0], sprg[1], sprg[2], sprg[3]));
        m.put("dar", dar);
        m.put("dsisr", (long) dsisr & 0xFFFF_FFFFL);
        m.put("cfar", cfar);
        m.put("retired", retired);
        return m;
    }

    /** The CPU's state as data ({@link ArchState}), for a snapshot. */
    public ArchState saveState() {
        return ArchState.of(this);
    }

    /**
     * Puts a snapshot's state back ({@link #saveState}); the caches of RAM pages are dropped and
     * the CPU looks for pending interrupts before its next instruction.
     */
    public void loadState(ArchState s) {
        s.loadInto(this);
        fetchPage = null;
        fetchBase = -1;
        storage.dropCache();
        chunkEnd = retired;
        attention = true;
    }

    /** Why the CPU stopped as a snapshot restores it (null: it runs), without setMsr's side effects. */
    void restoreStop(Stop s) {
        stop = s;
    }

    public void addObserver(CpuObserver o) {
        observers.add(o);
        updateObserved();
    }

    public void removeObserver(CpuObserver o) {
        observers.remove(o);
        updateObserved();
    }

    /** Sets the breakpoint addresses: {@link #run} stops before executing one. */
    public void setBreakpoints(long[] addrs) {
        breakpoints = addrs.clone();
        updateObserved();
    }

    private boolean isBreakpoint(long p) {
        for (long b : breakpoints) {
            if (b == p) {
                return true;
            }
        }
        return false;
    }

    private void updateObserved() {
        observed = breakpoints.length > 0 || observers.stream().anyMatch(CpuObserver::wantsInstructions);
    }
}
