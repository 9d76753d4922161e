package io.pseries.core.isa;

import java.util.List;

/**
 * The state of one interpreting hardware thread as data, for snapshots: the architected
 * registers, the reservation, the timebase and decrementer bookkeeping, the instruction count,
 * whether it stopped and why, and the breakpoint it is resuming past. What the CPU only caches
 * (the fetched and accessed RAM pages, the attention flag) is not in it: a restore drops those.
 * It is read from a {@link Cpu} ({@link Cpu#saveState}) and written back into one
 * ({@link Cpu#loadState}) here, beside the registers' list, so the CPU's run loop stays its own file.
 *
 * @param gpr              the 32 GPRs
 * @param spr              the registers named by {@link #SPR_NAMES}, in that order
 * @param cr               the condition register
 * @param xer              XER as mfxer reads it (SO, OV, CA, OV32, CA32, the byte count)
 * @param dsisr            DSISR
 * @param interruptLittleEndian LPCR[ILE]
 * @param timing           the values named by {@link #TIMING_NAMES}, in that order
 * @param stop             why the CPU stopped, or null
 */
public record ArchState(long[] gpr, long[] spr, int cr, long xer, int dsisr, boolean interruptLittleEndian,
                        long[] timing, Stop stop) {
    /** The 64-bit registers of {@link #spr}: the PC and the current instruction's address, then the SPRs. */
    public static final List<String> SPR_NAMES = List.of("pc", "cia", "lr", "ctr", "msr", "srr0", "srr1",
        "sprg0", "sprg1", "sprg2", "sprg3", "dar", "cfar", "amr", "iamr", "uamor", "pidr", "dscr", "ppr", "tar",
        "ctrl", "reserveAddr", "reserveValue");
    /**
     * The counters of {@link #timing}: instructions retired, the DEC value last written and the
     * timebase then, the current slice's start (virtual ns, instructions retired then), and the
     * breakpoint address the next run resumes past (-1: none).
     */
    public static final List<String> TIMING_NAMES = List.of("retired", "decWritten", "tbAtDecWrite", "sliceNs",
        "sliceRetired", "resumeBreakpoint");

    /** {@code c}'s state now. */
    static ArchState of(Cpu c) {
        long[] spr = {c.pc, c.cia, c.lr, c.ctr, c.msr, c.srr0, c.srr1, c.sprg[0], c.sprg[1], c.sprg[2], c.sprg[3], c.dar,
            c.cfar, c.amr, c.iamr, c.uamor, c.pidr, c.dscr, c.ppr, c.tar, c.ctrl, c.reserveAddr, c.reserveValue};
        long[] timing = {c.retired, c.time.decWritten(), c.time.tbAtDecWrite(), c.time.sliceNs(), c.time.sliceRetired(),
            c.resumeBreakpoint};
        return new ArchState(c.gpr.clone(), spr, c.cr, c.xer(), c.dsisr, c.interruptLittleEndian, timing, c.stopped());
    }

    /** Writes this state into {@code c}'s registers (the caller drops its caches). */
    void loadInto(Cpu c) {
        System.arraycopy(gpr, 0, c.gpr, 0, 32);
        long[] r = spr;
        c.pc = r[0];
        c.cia = r[1];
        c.lr = r[2];
        c.ctr = r[3];
        // the MSR's derived mode bits without setMsr's relocation stop: the stop comes with the state
        c.msr = r[4];
        c.sf = (c.msr & Msr.SF) != 0;
        c.le = (c.msr & Msr.LE) != 0;
        c.srr0 = r[5];
        c.srr1 = r[6];
        System.arraycopy(r, 7, c.sprg, 0, 4);
        c.dar = r[11];
        c.cfar = r[12];
        c.amr = r[13];
        c.iamr = r[14];
        c.uamor = r[15];
        c.pidr = r[16];
        c.dscr = r[17];
        c.ppr = r[18];
        c.tar = r[19];
        c.ctrl = r[20];
        c.reserveAddr = r[21];
        c.reserveValue = r[22];
        c.cr = cr;
        c.setXer(xer);
        c.dsisr = dsisr;
        c.interruptLittleEndian = interruptLittleEndian;
        c.retired = timing[0];
        c.time.restore(timing[1], timing[2], timing[3], timing[4]);
        c.resumeBreakpoint = timing[5];
        c.restoreStop(stop);
    }

    public ArchState {
        if (gpr.length != 32 || spr.length != SPR_NAMES.size() || timing.length != TIMING_NAMES.size()) {
            throw new IllegalArgumentException("ArchState: " + gpr.length + " GPRs, " + spr.length + " SPRs, "
                + timing.length + " counters");
        }
    }
}
