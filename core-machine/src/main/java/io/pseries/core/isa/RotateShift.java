package io.pseries.core.isa;

/**
 * Rotate and shift instructions (POWER ISA 3.0 Book I, 3.3.14): the 32-bit rlw* forms, which
 * rotate the low word doubled into both halves, the 64-bit rld* forms with their split 6-bit
 * shift and mask fields, and the shifts, where the algebraic ones set CA when a 1 bit is shifted
 * out of a negative value.
 *
 * <p>Masks use the ISA's numbering (bit 0 is the most significant): MASK(mb, me) has ones from
 * bit mb to bit me, wrapping around when mb > me.
 *
 * <p>Threading: the CPU's thread.
 */
final class RotateShift {
    private RotateShift() {
    }

    /** MASK(mb, me) over 64 bits, ISA bit numbering. */
    static long mask(int mb, int me) {
        long a = -1L >>> mb;
        long b = -1L << (63 - me);
        return mb <= me ? a & b : a | b;
    }

    /** ROTL32: the low word, doubled into both halves, rotated left. */
    static long rotl32(long x, int n) {
        long lo = x & 0xFFFF_FFFFL;
        return Long.rotateLeft(lo | (lo << 32), n);
    }

    /** rlwimi (20), rlwinm (21), rlwnm (23). */
    static void rlw(Cpu c, int w) {
        long[] g = c.gpr;
        int rs = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        int op = w >>> 26;
        int n = op == 23 ? (int) (g[(w >>> 11) & 31] & 31) : (w >>> 11) & 31;
        int mb = (w >>> 6) & 31;
        int me = (w >>> 1) & 31;
        long m = mask(mb + 32, me + 32);
        long r = rotl32(g[rs], n);
        long v = op == 20 ? (r & m) | (g[ra] & ~m) : r & m;
        g[ra] = v;
        if ((w & 1) != 0) {
            c.setCr0(v);
        }
    }

    /** Opcode 30: rldicl, rldicr, rldic, rldimi (MD-form), rldcl, rldcr (MDS-form). */
    static void rld(Cpu c, int w) {
        long[] g = c.gpr;
        int rs = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        // the 6-bit mask field is stored as mb[5] || mb[0:4]
        int x = (w >>> 5) & 0x3F;
        int mbe = ((x & 1) << 5) | (x >>> 1);
        int sh = ((w >>> 11) & 31) | ((w & 2) << 4);
        long s = g[rs];
        long v;
        switch ((w >>> 2) & 7) {
            case 0 -> v = Long.rotateLeft(s, sh) & mask(mbe, 63); // rldicl
            case 1 -> v = Long.rotateLeft(s, sh) & mask(0, mbe); // rldicr (the field is me)
            case 2 -> v = Long.rotateLeft(s, sh) & mask(mbe, 63 - sh); // rldic
            case 3 -> { // rldimi
                long m = mask(mbe, 63 - sh);
                v = (Long.rotateLeft(s, sh) & m) | (g[ra] & ~m);
            }
            case 4 -> {
                int n = (int) (g[(w >>> 11) & 31] & 63);
                if ((w & 0x1E) == 0x10) {
                    v = Long.rotateLeft(s, n) & mask(mbe, 63); // rldcl
                } else if ((w & 0x1E) == 0x12) {
                    v = Long.rotateLeft(s, n) & mask(0, mbe); // rldcr
                } else {
                    c.illegal(w);
                    return;
                }
            }
            default -> {
                c.illegal(w);
                return;
            }
        }
        g[ra] = v;
        if ((w & 1) != 0) {
            c.setCr0(v);
        }
    }

    /**
     * The X-form shifts of opcode 31 by 10-bit extended opcode (and sradi's XS-form): slw, srw,
     * sraw, srawi, sld, srd, srad, sradi. Returns false for any other opcode.
     */
    static boolean shift(Cpu c, int w, int xo) {
        long[] g = c.gpr;
        int rs = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        long s = g[rs];
        long b = g[(w >>> 11) & 31];
        long v;
        switch (xo) {
            case 24 -> v = (b & 0x20) != 0 ? 0 : (s << (b & 31)) & 0xFFFF_FFFFL; // slw
            case 536 -> v = (b & 0x20) != 0 ? 0 : (s & 0xFFFF_FFFFL) >>> (b & 31); // srw
            case 27 -> v = (b & 0x40) != 0 ? 0 : s << (b & 63); // sld
            case 539 -> v = (b & 0x40) != 0 ? 0 : s >>> (b & 63); // srd
            case 792 -> v = shiftRightAlgebraicWord(c, s, (int) (b & 0x3F)); // sraw
            case 824 -> v = shiftRightAlgebraicWord(c, s, (w >>> 11) & 31); // srawi
            case 794 -> v = shiftRightAlgebraicDouble(c, s, (int) (b & 0x7F)); // srad
            case 826, 827 -> v = shiftRightAlgebraicDouble(c, s, ((w >>> 11) & 31) | ((w & 2) << 4)); // sradi
            default -> {
                return false;
            }
        }
        g[ra] = v;
        if ((w & 1) != 0) {
            c.setCr0(v);
        }
        return true;
    }

    /** The low word shifted right arithmetically by n (0..63), sign-extended; CA = a 1 shifted out of a negative word. */
    private static long shiftRightAlgebraicWord(Cpu c, long s, int n) {
        int x = (int) s;
        long r;
        boolean lost;
        if (n > 31) {
            r = x < 0 ? -1L : 0;
            lost = x < 0;
        } else {
            r = x >> n;
            lost = x < 0 && n > 0 && (x & ((1 << n) - 1)) != 0;
        }
        c.ca = lost;
        c.ca32 = lost;
        return r;
    }

    private static long shiftRightAlgebraicDouble(Cpu c, long s, int n) {
        long r;
        boolean lost;
        if (n > 63) {
            r = s < 0 ? -1L : 0;
            lost = s < 0;
        } else {
            r = s >> n;
            lost = s < 0 && n > 0 && (s & ((1L << n) - 1)) != 0;
        }
        c.ca = lost;
        c.ca32 = lost;
        return r;
    }
}
