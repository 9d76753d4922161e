package io.pseries.core.isa;

/**
 * Instructions that reach the supervisor state: traps, system call and hypercall, rfid, the
 * MSR moves, the SPR moves a supervisor uses, the timebase and the CR moves (POWER ISA 3.0
 * Book I 3.3.11, 3.3.17 and Book III 4.3-4.4, 5.4.4).
 *
 * <p>Rules carried here: a trap whose condition holds raises a program interrupt with the trap
 * bit in SRR1 and SRR0 at the trap; {@code sc 1} from supervisor state is a PAPR hypercall (R3 =
 * opcode, R4..R12 in and out, execution goes on after it; from problem state R3 = H_PRIVILEGE,
 * as QEMU answers) and {@code sc 0} the system-call interrupt with SRR0 after the sc;
 * {@code rfid} restores the MSR from SRR1 except that without MSR[HV] it keeps ME and HV, and
 * PR = 1 forces EE, IR and DR on; {@code mtmsrd} leaves HV, ME and LE alone (L = 1: only EE and
 * RI); SPRs whose number has bit 0x10 set are privileged. An SPR this model does not know is
 * an illegal instruction.
 *
 * <p>Threading: the CPU's thread.
 */
final class SystemOps {
    static final int SPR_XER = 1;
    static final int SPR_LR = 8;
    static final int SPR_CTR = 9;
    static final int SPR_DSCR_USER = 3;
    static final int SPR_AMR_USER = 13;
    static final int SPR_DSCR = 17;
    static final int SPR_DSISR = 18;
    static final int SPR_DAR = 19;
    static final int SPR_DEC = 22;
    static final int SPR_SRR0 = 26;
    static final int SPR_SRR1 = 27;
    static final int SPR_CFAR = 28;
    static final int SPR_AMR = 29;
    static final int SPR_PIDR = 48;
    static final int SPR_IAMR = 61;
    static final int SPR_CTRL_READ = 136;
    static final int SPR_CTRL_WRITE = 152;
    static final int SPR_UAMOR = 157;
    static final int SPR_VRSAVE = 256;
    static final int SPR_SPRG3_READ = 259;
    static final int SPR_TB = 268;
    static final int SPR_TBU = 269;
    static final int SPR_SPRG0 = 272;
    static final int SPR_PVR = 287;
    static final int SPR_TAR = 815;
    static final int SPR_PPR = 896;
    static final int SPR_PPR32 = 898;
    static final int SPR_PIR = 1023;
    /** PAPR's return code for an hcall from problem state. */
    static final long H_PRIVILEGE = -3;

    private SystemOps() {
    }

    /** Whether the TO condition of a trap holds for a and b. */
    static boolean trapCondition(int to, long a, long b) {
        return ((to & 16) != 0 && a < b) || ((to & 8) != 0 && a > b) || ((to & 4) != 0 && a == b)
            || ((to & 2) != 0 && Long.compareUnsigned(a, b) < 0) || ((to & 1) != 0 && Long.compareUnsigned(a, b) > 0);
    }

    /** tdi (2) and twi (3). */
    static void trapImmediate(Cpu c, int w) {
        int to = (w >>> 21) & 31;
        long a = c.gpr[(w >>> 16) & 31];
        long si = (short) w;
        boolean word = (w >>> 26) == 3;
        if (trapCondition(to, word ? (int) a : a, word ? (int) si : si)) {
            c.interrupt(Vector.PROGRAM, c.cia, Vector.SRR1_PROGRAM_TRAP);
        }
    }

    /** tw (31/4) and td (31/68). */
    static void trap(Cpu c, int w, boolean word) {
        int to = (w >>> 21) & 31;
        long a = c.gpr[(w >>> 16) & 31];
        long b = c.gpr[(w >>> 11) & 31];
        if (trapCondition(to, word ? (int) a : a, word ? (int) b : b)) {
            c.interrupt(Vector.PROGRAM, c.cia, Vector.SRR1_PROGRAM_TRAP);
        }
    }

    /** sc LEV: 1 is the hypercall, 0 the system-call interrupt, others illegal here. */
    static void sc(Cpu c, int w) {
        if ((w & 2) == 0) {
            c.illegal(w);
            return;
        }
        int lev = (w >>> 5) & 0x7F;
        if (lev == 1) {
            if ((c.msr & Msr.PR) != 0) {
                c.gpr[3] = H_PRIVILEGE;
                return;
            }
            long[] regs = c.hcallRegs;
            System.arraycopy(c.gpr, 4, regs, 0, 9);
            c.gpr[3] = c.bus.hcall(c.gpr[3], regs);
            System.arraycopy(regs, 0, c.gpr, 4, 9);
            c.attention = true;
        } else if (lev == 0) {
            c.interrupt(Vector.SYSTEM_CALL, c.pc, 0);
        } else {
            c.illegal(w);
        }
    }

    /** rfid: MSR from SRR1 with the ISA's exceptions, then continue at SRR0. */
    static void rfid(Cpu c, int w) {
        if ((c.msr & Msr.PR) != 0) {
            c.privileged();
            return;
        }
        long s = c.srr1;
        long keep = Msr.HV | Msr.ME;
        long m = (s & ~keep) | (c.msr & keep);
        if ((c.msr & Msr.HV) != 0) {
            m = (m & ~Msr.ME) | (s & Msr.ME);
            m = (m & ~Msr.HV) | (s & Msr.HV);
        }
        if ((m & Msr.PR) != 0) {
            m |= Msr.EE | Msr.IR | Msr.DR;
        }
        long target = c.srr0 & ~3L;
        c.reserveAddr = -1;
        c.cfar = c.cia;
        c.setMsr(m);
        c.pc = (m & Msr.SF) != 0 ? target : target & 0xFFFF_FFFFL;
    }

    /** mfmsr (83), mtmsr (146), mtmsrd (178). */
    static void msrMove(Cpu c, int w, int xo) {
        if ((c.msr & Msr.PR) != 0) {
            c.privileged();
            return;
        }
        int rs = (w >>> 21) & 31;
        if (xo == 83) {
            c.gpr[rs] = c.msr;
            return;
        }
        long v = c.gpr[rs];
        long mask;
        if ((w & 0x0001_0000) != 0) {
            mask = Msr.EE | Msr.RI; // L = 1
        } else {
            mask = ~(Msr.HV | Msr.ME | Msr.LE);
            if (xo == 146) {
                mask &= 0xFFFF_FFFFL; // mtmsr: the low word only
            }
        }
        long m = (c.msr & ~mask) | (v & mask);
        if ((m & Msr.PR) != 0) {
            m |= Msr.EE | Msr.IR | Msr.DR;
        }
        c.setMsr(m);
    }

    static int sprNumber(int w) {
        return ((w >>> 16) & 31) | (((w >>> 11) & 31) << 5);
    }

    /** mfspr (339), mftb (371). */
    static void mfspr(Cpu c, int w) {
        int spr = sprNumber(w);
        if ((spr & 0x10) != 0 && (c.msr & Msr.PR) != 0) {
            c.privileged();
            return;
        }
        long v;
        switch (spr) {
            case SPR_XER -> v = c.xer();
            case SPR_LR -> v = c.lr;
            case SPR_CTR -> v = c.ctr;
            case SPR_DSCR_USER, SPR_DSCR -> v = c.dscr;
            case SPR_AMR_USER, SPR_AMR -> v = c.amr;
            case SPR_DSISR -> v = c.dsisr & 0xFFFF_FFFFL;
            case SPR_DAR -> v = c.dar;
            case SPR_DEC -> v = c.time.decrementer();
            case SPR_SRR0 -> v = c.srr0;
            case SPR_SRR1 -> v = c.srr1;
            case SPR_CFAR -> v = c.cfar;
            case SPR_PIDR -> v = c.pidr;
            case SPR_IAMR -> v = c.iamr;
            case SPR_UAMOR -> v = c.uamor;
            case SPR_CTRL_READ -> v = c.ctrl;
            case SPR_VRSAVE -> v = 0;
            case SPR_SPRG3_READ -> v = c.sprg[3];
            case SPR_TB -> v = c.time.timebase();
            case SPR_TBU -> v = c.time.timebase() >>> 32;
            case SPR_SPRG0, SPR_SPRG0 + 1, SPR_SPRG0 + 2, SPR_SPRG0 + 3 -> v = c.sprg[spr - SPR_SPRG0];
            case SPR_PVR -> v = Cpu.PVR_POWER9;
            case SPR_TAR -> v = c.tar;
            case SPR_PPR -> v = c.ppr;
            case SPR_PPR32 -> v = c.ppr >>> 32;
            // QEMU's pseries never sets PIR for its vCPUs: every one reads the reset value 0 (a
            // guest learns its id from the device tree or start-cpu's argument)
            case SPR_PIR -> v = 0;
            default -> {
                c.illegal(w);
                return;
            }
        }
        c.gpr[(w >>> 21) & 31] = v;
    }

    /** mtspr (467). Read-only SPRs (PVR, PIR, TB) and unknown ones are illegal here. */
    static void mtspr(Cpu c, int w) {
        int spr = sprNumber(w);
        if ((spr & 0x10) != 0 && (c.msr & Msr.PR) != 0) {
            c.privileged();
            return;
        }
        long v = c.gpr[(w >>> 21) & 31];
        switch (spr) {
            case SPR_XER -> c.setXer(v);
            case SPR_LR -> c.lr = v;
            case SPR_CTR -> c.ctr = v;
            case SPR_DSCR_USER, SPR_DSCR -> c.dscr = v;
            case SPR_AMR_USER, SPR_AMR -> c.amr = v;
            case SPR_DSISR -> c.dsisr = (int) v;
            case SPR_DAR -> c.dar = v;
            case SPR_DEC -> c.time.setDecrementer(v);
            case SPR_SRR0 -> c.srr0 = v;
            case SPR_SRR1 -> c.srr1 = v;
            case SPR_CFAR -> c.cfar = v;
            case SPR_PIDR -> c.pidr = v;
            case SPR_IAMR -> c.iamr = v;
            case SPR_UAMOR -> c.uamor = v;
            case SPR_CTRL_WRITE -> c.ctrl = v & 1;
            case SPR_VRSAVE -> {
            }
            case SPR_SPRG0, SPR_SPRG0 + 1, SPR_SPRG0 + 2, SPR_SPRG0 + 3 -> c.sprg[spr - SPR_SPRG0] = v;
            case SPR_TAR -> c.tar = v;
            case SPR_PPR -> c.ppr = v;
            case SPR_PPR32 -> c.ppr = (c.ppr & 0xFFFF_FFFFL) | (v << 32);
            default -> c.illegal(w);
        }
    }

    /** mfcr / mfocrf (19). mfocrf copies only the one field FXM names, the rest is 0 (as QEMU). */
    static void mfcr(Cpu c, int w) {
        int rt = (w >>> 21) & 31;
        if ((w & 0x0010_0000) != 0) {
            int fxm = (w >>> 12) & 0xFF;
            long m = 0;
            for (int i = 0; i < 8; i++) {
                if ((fxm & (0x80 >>> i)) != 0) {
                    m |= 0xFL << (28 - 4 * i);
                }
            }
            c.gpr[rt] = c.cr & m;
        } else {
            c.gpr[rt] = c.cr & 0xFFFF_FFFFL;
        }
    }

    /** mtcrf / mtocrf (144): the CR fields FXM selects from the low word of RS. */
    static void mtcrf(Cpu c, int w) {
        int fxm = (w >>> 12) & 0xFF;
        int v = (int) c.gpr[(w >>> 21) & 31];
        int m = 0;
        for (int i = 0; i < 8; i++) {
            if ((fxm & (0x80 >>> i)) != 0) {
                m |= 0xF << (28 - 4 * i);
            }
        }
        c.cr = (c.cr & ~m) | (v & m);
    }
}
