package io.pseries.core.isa;

/**
 * The branch facility (POWER ISA 3.0 Book I, 2.4-2.5): b, bc, bclr, bcctr, bctar with their
 * AA/LK forms, the CR logical instructions and mcrf, plus the other opcode-19 instructions
 * (isync, rfid) which this decodes and hands on.
 *
 * <p>bc's BO field: BO[2] = 0 decrements CTR and tests it (against zero, or non-zero when
 * BO[3] = 1; only its low word in 32-bit mode); BO[0] = 0 tests CR bit BI against BO[1].
 * bcctr cannot decrement CTR (that form is invalid). LK = 1 sets LR to the next instruction's
 * address after the target is read, so {@code bclrl} branches to the old LR.
 *
 * <p>Threading: the CPU's thread.
 */
final class Branch {
    private Branch() {
    }

    /** I-form b, ba, bl, bla. */
    static void b(Cpu c, int w) {
        long li = ((w & 0x03FF_FFFC) << 6) >> 6;
        long target = (w & 2) != 0 ? li : c.cia + li;
        if ((w & 1) != 0) {
            c.lr = c.pc;
        }
        c.cfar = c.cia;
        c.pc = c.mode(target);
    }

    /** The condition of a bc-family instruction: decrements CTR when BO[2] = 0. */
    private static boolean taken(Cpu c, int bo, int bi, boolean mayDecrement) {
        boolean ctrOk = true;
        if ((bo & 4) == 0 && mayDecrement) {
            c.ctr--;
            long ctr = c.sf ? c.ctr : c.ctr & 0xFFFF_FFFFL;
            ctrOk = (ctr != 0) != ((bo & 2) != 0);
        }
        boolean condOk = (bo & 16) != 0 || (((c.cr >>> (31 - bi)) & 1) != 0) == ((bo & 8) != 0);
        return ctrOk && condOk;
    }

    /** B-form bc, bca, bcl, bcla. */
    static void bc(Cpu c, int w) {
        int bo = (w >>> 21) & 31;
        int bi = (w >>> 16) & 31;
        boolean t = taken(c, bo, bi, true);
        long next = c.pc;
        if ((w & 1) != 0) {
            c.lr = next;
        }
        if (t) {
            long bd = (short) (w & 0xFFFC);
            c.cfar = c.cia;
            c.pc = c.mode((w & 2) != 0 ? bd : c.cia + bd);
        }
    }

    /** Opcode 19 by its 10-bit extended opcode. */
    static void op19(Cpu c, int w) {
        int xo = (w >>> 1) & 0x3FF;
        switch (xo) {
            case 16 -> toRegister(c, w, c.lr, true); // bclr
            case 528 -> { // bcctr
                if ((((w >>> 21) & 31) & 4) == 0) {
                    c.illegal(w);
                    return;
                }
                toRegister(c, w, c.ctr, false);
            }
            case 560 -> toRegister(c, w, c.tar, true); // bctar
            case 0 -> { // mcrf
                int bf = (w >>> 23) & 7;
                int bfa = (w >>> 18) & 7;
                c.setCrField(bf, (c.cr >>> (28 - 4 * bfa)) & 0xF);
            }
            case 33, 129, 193, 225, 257, 289, 417, 449 -> crLogical(c, w, xo);
            case 150 -> { // isync: nothing is speculated here
            }
            case 18 -> SystemOps.rfid(c, w);
            default -> c.illegal(w);
        }
    }

    private static void toRegister(Cpu c, int w, long target, boolean mayDecrement) {
        int bo = (w >>> 21) & 31;
        int bi = (w >>> 16) & 31;
        boolean t = taken(c, bo, bi, mayDecrement);
        if ((w & 1) != 0) {
            c.lr = c.pc;
        }
        if (t) {
            c.cfar = c.cia;
            c.pc = c.mode(target & ~3L);
        }
    }

    /** crand, crandc, creqv, crnand, crnor, cror, crorc, crxor: CR bit BT = BA op BB. */
    private static void crLogical(Cpu c, int w, int xo) {
        int bt = (w >>> 21) & 31;
        int a = (c.cr >>> (31 - ((w >>> 16) & 31))) & 1;
        int b = (c.cr >>> (31 - ((w >>> 11) & 31))) & 1;
        int r = switch (xo) {
            case 257 -> a & b; // crand
            case 129 -> a & ~b; // crandc
            case 289 -> ~(a ^ b); // creqv
            case 225 -> ~(a & b); // crnand
            case 33 -> ~(a | b); // crnor
            case 449 -> a | b; // cror
            case 417 -> a | ~b; // crorc
            default -> a ^ b; // crxor (193)
        };
        int bit = 1 << (31 - bt);
        c.cr = (r & 1) != 0 ? c.cr | bit : c.cr & ~bit;
    }
}
