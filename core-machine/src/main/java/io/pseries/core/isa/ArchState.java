package io.pseries.core.isa;

import java.util.List;

/**
 * The state of one interpreting hardware thread as data, for snapshots: the architected
 * registers, the reservation, the timebase and decrementer bookkeeping, the instruction count,
 * whether it stopped and why, and the breakpoint it is resuming past. What the CPU only caches
 * (the fetched and accessed RAM pages, the attention flag) is not in it: a restore drops those.
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

    public ArchState {
        if (gpr.length != 32 || spr.length != SPR_NAMES.size() || timing.length != TIMING_NAMES.size()) {
            throw new IllegalArgumentException("ArchState: " + gpr.length + " GPRs, " + spr.length + " SPRs, "
                + timing.length + " counters");
        }
    }
}
