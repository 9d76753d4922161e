package io.pseries.core.isa;

/**
 * Primary opcode 31, the X/XO/XS/A-form space: decodes the extended opcode and hands the
 * instruction to its family's unit; the X-form logical instructions, counts, sign extensions,
 * compares and isel are executed here.
 *
 * <p>Decoding order: isel (A-form, 5-bit XO 15), then the XO-form arithmetic (9-bit XO, the
 * OE bit above it), then the 10-bit X-form opcodes. An opcode nobody claims is illegal.
 *
 * <p>Threading: the CPU's thread.
 */
final class Op31 {
    private Op31() {
    }

    static void execute(Cpu c, int w) {
        if (((w >>> 1) & 0x1F) == 15) {
            isel(c, w);
            return;
        }
        int xo = (w >>> 1) & 0x3FF;
        if (FixedPoint.arithmetic(c, w, xo & 0x1FF, (xo & 0x200) != 0)) {
            return;
        }
        if (logical(c, w, xo) || LoadStore.indexed(c, w, xo) || RotateShift.shift(c, w, xo)) {
            return;
        }
        switch (xo) {
            case 0, 32 -> FixedPoint.compare(c, (w >>> 23) & 7, (w >>> 21) & 1, c.gpr[(w >>> 16) & 31],
                c.gpr[(w >>> 11) & 31], xo == 0);
            case 4 -> SystemOps.trap(c, w, true);
            case 68 -> SystemOps.trap(c, w, false);
            case 19 -> SystemOps.mfcr(c, w);
            case 144 -> SystemOps.mtcrf(c, w);
            case 83, 146, 178 -> SystemOps.msrMove(c, w, xo);
            case 339, 371 -> SystemOps.mfspr(c, w);
            case 467 -> SystemOps.mtspr(c, w);
            default -> c.illegal(w);
        }
    }

    /** isel: RT = CR[BC] ? (RA|0) : RB. */
    private static void isel(Cpu c, int w) {
        int ra = (w >>> 16) & 31;
        int bc = (w >>> 6) & 31;
        boolean bit = ((c.cr >>> (31 - bc)) & 1) != 0;
        c.gpr[(w >>> 21) & 31] = bit ? (ra == 0 ? 0 : c.gpr[ra]) : c.gpr[(w >>> 11) & 31];
    }

    /** and, andc, or, orc, xor, nand, nor, eqv, extsb/h/w, cntlzw/d, cnttzw/d, popcnt*, cmpb. */
    private static boolean logical(Cpu c, int w, int xo) {
        long[] g = c.gpr;
        long s = g[(w >>> 21) & 31];
        long b = g[(w >>> 11) & 31];
        long v;
        switch (xo) {
            case 28 -> v = s & b;
            case 60 -> v = s & ~b;
            case 444 -> v = s | b;
            case 412 -> v = s | ~b;
            case 316 -> v = s ^ b;
            case 476 -> v = ~(s & b);
            case 124 -> v = ~(s | b);
            case 284 -> v = ~(s ^ b);
            case 954 -> v = (byte) s;
            case 922 -> v = (short) s;
            case 986 -> v = (int) s;
            case 26 -> v = Integer.numberOfLeadingZeros((int) s);
            case 58 -> v = Long.numberOfLeadingZeros(s);
            case 538 -> v = Integer.numberOfTrailingZeros((int) s);
            case 570 -> v = Long.numberOfTrailingZeros(s);
            case 122 -> v = popcountBytes(s);
            case 378 -> v = ((long) Integer.bitCount((int) (s >>> 32)) << 32) | Integer.bitCount((int) s);
            case 506 -> v = Long.bitCount(s);
            case 508 -> v = compareBytes(s, b);
            default -> {
                return false;
            }
        }
        g[(w >>> 16) & 31] = v;
        // popcnt* and cmpb have no record form
        if ((w & 1) != 0 && xo != 122 && xo != 378 && xo != 506 && xo != 508) {
            c.setCr0(v);
        }
        return true;
    }

    private static long popcountBytes(long s) {
        long r = 0;
        for (int i = 0; i < 64; i += 8) {
            r |= (long) Long.bitCount((s >>> i) & 0xFF) << i;
        }
        return r;
    }

    private static long compareBytes(long s, long b) {
        long r = 0;
        for (int i = 0; i < 64; i += 8) {
            if (((s >>> i) & 0xFF) == ((b >>> i) & 0xFF)) {
                r |= 0xFFL << i;
            }
        }
        return r;
    }
}
