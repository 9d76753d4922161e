package io.pseries.core.isa;

/**
 * The fixed-point facility's arithmetic, logical and compare instructions (POWER ISA 3.0
 * Book I, 3.3.9-3.3.13), and the XER carry and overflow rules they share.
 *
 * <p>Carry and overflow: CA is the carry out of bit 0 in 64-bit mode and out of bit 32 in
 * 32-bit mode; CA32 is always the carry out of bit 32. OV likewise follows the mode and OV32
 * the low word; an instruction with OE = 1 also ORs OV into SO. CR0 (Rc = 1) compares the
 * result with zero as a signed number (its low word in 32-bit mode) and copies SO.
 *
 * <p>Threading: the CPU's thread.
 */
final class FixedPoint {
    private FixedPoint() {
    }

    static int rt(int w) {
        return (w >>> 21) & 31;
    }

    static int ra(int w) {
        return (w >>> 16) & 31;
    }

    static int rb(int w) {
        return (w >>> 11) & 31;
    }

    /** D-form arithmetic and compares with an immediate: mulli, subfic, cmpli, cmpi, addic[.], addi, addis. */
    static void immediate(Cpu c, int w) {
        int rt = rt(w);
        int ra = ra(w);
        long si = (short) w;
        long[] g = c.gpr;
        switch (w >>> 26) {
            case 7 -> g[rt] = g[ra] * si;
            case 8 -> g[rt] = add(c, ~g[ra], si, 1);
            case 10 -> compare(c, (w >>> 23) & 7, (w >>> 21) & 1, g[ra], w & 0xFFFFL, false);
            case 11 -> compare(c, (w >>> 23) & 7, (w >>> 21) & 1, g[ra], si, true);
            case 12 -> g[rt] = add(c, g[ra], si, 0);
            case 13 -> {
                g[rt] = add(c, g[ra], si, 0);
                c.setCr0(g[rt]);
            }
            case 14 -> g[rt] = (ra == 0 ? 0 : g[ra]) + si;
            default -> g[rt] = (ra == 0 ? 0 : g[ra]) + (si << 16);
        }
    }

    /** ori, oris, xori, xoris, andi., andis. (RA = RS op UI). */
    static void logicalImmediate(Cpu c, int w) {
        int rs = rt(w);
        int ra = ra(w);
        long ui = w & 0xFFFFL;
        long[] g = c.gpr;
        switch (w >>> 26) {
            case 24 -> g[ra] = g[rs] | ui;
            case 25 -> g[ra] = g[rs] | (ui << 16);
            case 26 -> g[ra] = g[rs] ^ ui;
            case 27 -> g[ra] = g[rs] ^ (ui << 16);
            case 28 -> {
                g[ra] = g[rs] & ui;
                c.setCr0(g[ra]);
            }
            default -> {
                g[ra] = g[rs] & (ui << 16);
                c.setCr0(g[ra]);
            }
        }
    }

    /** a + b + carryIn, setting CA and CA32. */
    static long add(Cpu c, long a, long b, long carryIn) {
        long s = a + b + carryIn;
        long carries = (a & b) | ((a | b) & ~s);
        c.ca32 = ((carries >>> 31) & 1) != 0;
        c.ca = c.sf ? carries < 0 : c.ca32;
        return s;
    }

    /** Sets OV, OV32 (and SO) for the sum {@code s} of {@code a} and {@code b}. */
    static void addOverflow(Cpu c, long a, long b, long s) {
        long o = (a ^ s) & (b ^ s);
        c.ov32 = ((o >>> 31) & 1) != 0;
        c.ov = c.sf ? o < 0 : c.ov32;
        c.so |= c.ov;
    }

    /** Sets OV and OV32 to {@code v} (and SO when set). */
    static void overflow(Cpu c, boolean v) {
        c.ov = v;
        c.ov32 = v;
        c.so |= v;
    }

    /**
     * cmp/cmpl/cmpi/cmpli into CR field {@code bf}: {@code l} = 1 compares 64 bits, 0 the low words
     * (sign-extended for the signed forms, zero-extended for the logical ones).
     */
    static void compare(Cpu c, int bf, int l, long a, long b, boolean signed) {
        if (l == 0) {
            if (signed) {
                a = (int) a;
                b = (int) b;
            } else {
                a &= 0xFFFF_FFFFL;
                b &= 0xFFFF_FFFFL;
            }
        }
        int r = signed ? Long.compare(a, b) : Long.compareUnsigned(a, b);
        int f = r < 0 ? 8 : r > 0 ? 4 : 2;
        c.setCrField(bf, f | (c.so ? 1 : 0));
    }

    /**
     * The XO-form arithmetic of opcode 31 by its 9-bit extended opcode; {@code oe} is the OE bit.
     * Returns false if {@code xo} is not one of them.
     */
    static boolean arithmetic(Cpu c, int w, int xo, boolean oe) {
        long[] g = c.gpr;
        int rt = rt(w);
        long a = g[ra(w)];
        long b = g[rb(w)];
        long r;
        switch (xo) {
            case 266 -> { // add
                r = a + b;
                if (oe) {
                    addOverflow(c, a, b, r);
                }
            }
            case 10 -> { // addc
                r = add(c, a, b, 0);
                if (oe) {
                    addOverflow(c, a, b, r);
                }
            }
            case 138 -> { // adde
                r = add(c, a, b, c.ca ? 1 : 0);
                if (oe) {
                    addOverflow(c, a, b, r);
                }
            }
            case 234 -> { // addme
                r = add(c, a, -1L, c.ca ? 1 : 0);
                if (oe) {
                    addOverflow(c, a, -1L, r);
                }
            }
            case 202 -> { // addze
                r = add(c, a, 0, c.ca ? 1 : 0);
                if (oe) {
                    addOverflow(c, a, 0, r);
                }
            }
            case 40 -> { // subf: ~a + b + 1
                r = b - a;
                if (oe) {
                    addOverflow(c, ~a, b, r);
                }
            }
            case 8 -> { // subfc
                r = add(c, ~a, b, 1);
                if (oe) {
                    addOverflow(c, ~a, b, r);
                }
            }
            case 136 -> { // subfe
                r = add(c, ~a, b, c.ca ? 1 : 0);
                if (oe) {
                    addOverflow(c, ~a, b, r);
                }
            }
            case 232 -> { // subfme
                r = add(c, ~a, -1L, c.ca ? 1 : 0);
                if (oe) {
                    addOverflow(c, ~a, -1L, r);
                }
            }
            case 200 -> { // subfze
                r = add(c, ~a, 0, c.ca ? 1 : 0);
                if (oe) {
                    addOverflow(c, ~a, 0, r);
                }
            }
            case 104 -> { // neg
                r = -a;
                if (oe) {
                    overflow(c, c.sf ? a == Long.MIN_VALUE : (int) a == Integer.MIN_VALUE);
                }
            }
            case 235 -> { // mullw: 64-bit product of the signed low words
                r = (long) (int) a * (int) b;
                if (oe) {
                    overflow(c, r != (int) r);
                }
            }
            case 233 -> { // mulld
                r = a * b;
                if (oe) {
                    overflow(c, Math.multiplyHigh(a, b) != (r >> 63));
                }
            }
            case 75 -> r = ((long) (int) a * (int) b >>> 32) & 0xFFFF_FFFFL; // mulhw
            case 11 -> r = ((a & 0xFFFF_FFFFL) * (b & 0xFFFF_FFFFL)) >>> 32; // mulhwu
            case 73 -> r = Math.multiplyHigh(a, b); // mulhd
            case 9 -> r = Math.unsignedMultiplyHigh(a, b); // mulhdu
            case 491 -> { // divw; an invalid division gives the dividend's low word (QEMU divides by 1)
                int x = (int) a;
                int y = (int) b;
                boolean bad = y == 0 || (x == Integer.MIN_VALUE && y == -1);
                r = (bad ? x : x / y) & 0xFFFF_FFFFL;
                if (oe) {
                    overflow(c, bad);
                }
            }
            case 459 -> { // divwu
                int y = (int) b;
                r = (y == 0 ? a : Integer.divideUnsigned((int) a, y)) & 0xFFFF_FFFFL;
                if (oe) {
                    overflow(c, y == 0);
                }
            }
            case 489 -> { // divd
                boolean bad = b == 0 || (a == Long.MIN_VALUE && b == -1);
                r = bad ? a : a / b;
                if (oe) {
                    overflow(c, bad);
                }
            }
            case 457 -> { // divdu
                r = b == 0 ? a : Long.divideUnsigned(a, b);
                if (oe) {
                    overflow(c, b == 0);
                }
            }
            default -> {
                return false;
            }
        }
        g[rt] = r;
        if ((w & 1) != 0) {
            c.setCr0(r);
        }
        return true;
    }
}
