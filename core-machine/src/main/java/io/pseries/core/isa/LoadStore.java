package io.pseries.core.isa;

/**
 * Fixed-point loads and stores (POWER ISA 3.0 Book I, 3.3.2-3.3.7 and Book II, 4.4): byte,
 * halfword, word and doubleword in D, DS and X forms, with update, algebraic (sign-extending)
 * and byte-reversed variants, load/store multiple, load-and-reserve / store-conditional, and
 * dcbz, the one cache instruction with a visible effect.
 *
 * <p>EA = (RA|0) + D or (RA|0) + (RB). Update forms write EA back into RA; RA = 0, and for loads
 * RA = RT, are invalid forms and raise the illegal-instruction program interrupt, as QEMU does.
 * Load/store multiple in little-endian mode raises the alignment interrupt, as the ISA requires.
 * A store-conditional succeeds when the CPU holds a reservation for the same address and the
 * storage still holds the value the load-and-reserve saw (how QEMU checks it), and sets CR0 to
 * 0b00 || success || SO.
 *
 * <p>Threading: the CPU's thread.
 */
final class LoadStore {
    /** dcbz clears an aligned block of this many bytes (POWER9's cache line). */
    static final int CACHE_BLOCK = 128;

    private LoadStore() {
    }

    private static long base(Cpu c, int ra) {
        return ra == 0 ? 0 : c.gpr[ra];
    }

    /** Opcodes 32-45: lwz[u], lbz[u], stw[u], stb[u], lhz[u], lha[u], sth[u]. */
    static void dForm(Cpu c, int w) {
        int op = w >>> 26;
        int rt = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        boolean update = (op & 1) != 0;
        boolean isLoad = op != 36 && op != 37 && op != 38 && op != 39 && op != 44 && op != 45;
        if (update && (ra == 0 || (isLoad && ra == rt))) {
            c.illegal(w);
            return;
        }
        long ea = base(c, ra) + (short) w;
        long[] g = c.gpr;
        switch (op) {
            case 32, 33 -> g[rt] = c.storage.load4(ea, false);
            case 34, 35 -> g[rt] = c.storage.load1(ea);
            case 40, 41 -> g[rt] = c.storage.load2(ea, false);
            case 42, 43 -> g[rt] = (short) c.storage.load2(ea, false);
            case 36, 37 -> c.storage.store4(ea, g[rt], false);
            case 38, 39 -> c.storage.store1(ea, g[rt]);
            default -> c.storage.store2(ea, g[rt], false);
        }
        if (update) {
            g[ra] = c.mode(ea);
        }
    }

    /** Opcodes 58 (ld, ldu, lwa) and 62 (std, stdu). */
    static void dsForm(Cpu c, int w) {
        int op = w >>> 26;
        int rt = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        int xo = w & 3;
        long ea = base(c, ra) + (short) (w & 0xFFFC);
        long[] g = c.gpr;
        if (op == 58) {
            switch (xo) {
                case 0 -> g[rt] = c.storage.load8(ea, false);
                case 1 -> {
                    if (ra == 0 || ra == rt) {
                        c.illegal(w);
                        return;
                    }
                    g[rt] = c.storage.load8(ea, false);
                    g[ra] = c.mode(ea);
                }
                case 2 -> g[rt] = (int) c.storage.load4(ea, false);
                default -> c.illegal(w);
            }
        } else {
            switch (xo) {
                case 0 -> c.storage.store8(ea, g[rt], false);
                case 1 -> {
                    if (ra == 0) {
                        c.illegal(w);
                        return;
                    }
                    c.storage.store8(ea, g[rt], false);
                    g[ra] = c.mode(ea);
                }
                default -> c.illegal(w);
            }
        }
    }

    /** lmw (46) and stmw (47): words RT..R31 at consecutive addresses, big-endian mode only. */
    static void multiple(Cpu c, int w) {
        int rt = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        long ea = base(c, ra) + (short) w;
        boolean load = (w >>> 26) == 46;
        if (load && ra >= rt && ra != 0) {
            c.illegal(w);
            return;
        }
        if (c.le) {
            c.dar = c.mode(ea);
            c.interrupt(Vector.ALIGNMENT, c.cia, 0);
            return;
        }
        for (int r = rt; r < 32; r++, ea += 4) {
            if (load) {
                c.gpr[r] = c.load(ea, 4, false);
            } else {
                c.store(ea, 4, c.gpr[r], false);
            }
        }
    }

    /**
     * The X-form loads, stores, reservations and cache instructions of opcode 31 by 10-bit
     * extended opcode. Returns false for any other opcode.
     */
    static boolean indexed(Cpu c, int w, int xo) {
        int rt = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        long ea = base(c, ra) + c.gpr[(w >>> 11) & 31];
        long[] g = c.gpr;
        switch (xo) {
            case 87 -> g[rt] = c.load(ea, 1, false); // lbzx
            case 279 -> g[rt] = c.load(ea, 2, false); // lhzx
            case 343 -> g[rt] = (short) c.load(ea, 2, false); // lhax
            case 23 -> g[rt] = c.load(ea, 4, false); // lwzx
            case 341 -> g[rt] = (int) c.load(ea, 4, false); // lwax
            case 21 -> g[rt] = c.load(ea, 8, false); // ldx
            case 119, 311, 375, 55, 373, 53 -> { // the update forms of the above
                if (ra == 0 || ra == rt) {
                    c.illegal(w);
                    return true;
                }
                long v = switch (xo) {
                    case 119 -> c.load(ea, 1, false);
                    case 311 -> c.load(ea, 2, false);
                    case 375 -> (short) c.load(ea, 2, false);
                    case 55 -> c.load(ea, 4, false);
                    case 373 -> (int) c.load(ea, 4, false);
                    default -> c.load(ea, 8, false);
                };
                g[rt] = v;
                g[ra] = c.mode(ea);
            }
            case 215 -> c.store(ea, 1, g[rt], false); // stbx
            case 407 -> c.store(ea, 2, g[rt], false); // sthx
            case 151 -> c.store(ea, 4, g[rt], false); // stwx
            case 149 -> c.store(ea, 8, g[rt], false); // stdx
            case 247, 439, 183, 181 -> { // stbux, sthux, stwux, stdux
                if (ra == 0) {
                    c.illegal(w);
                    return true;
                }
                int size = xo == 247 ? 1 : xo == 439 ? 2 : xo == 183 ? 4 : 8;
                c.store(ea, size, g[rt], false);
                g[ra] = c.mode(ea);
            }
            case 790 -> g[rt] = c.storage.load2(ea, true); // lhbrx
            case 534 -> g[rt] = c.storage.load4(ea, true); // lwbrx
            case 532 -> g[rt] = c.storage.load8(ea, true); // ldbrx
            case 918 -> c.storage.store2(ea, g[rt], true); // sthbrx
            case 662 -> c.storage.store4(ea, g[rt], true); // stwbrx
            case 660 -> c.storage.store8(ea, g[rt], true); // stdbrx
            case 52, 116, 20, 84 -> { // lbarx, lharx, lwarx, ldarx
                int size = xo == 52 ? 1 : xo == 116 ? 2 : xo == 20 ? 4 : 8;
                if ((ea & (size - 1)) != 0) {
                    alignment(c, ea);
                    return true;
                }
                long v = c.load(ea, size, false);
                c.reserveAddr = c.real(ea);
                c.reserveValue = v;
                g[rt] = v;
            }
            case 694, 726, 150, 214 -> { // stbcx., sthcx., stwcx., stdcx.
                int size = xo == 694 ? 1 : xo == 726 ? 2 : xo == 150 ? 4 : 8;
                if ((ea & (size - 1)) != 0) {
                    alignment(c, ea);
                    return true;
                }
                boolean ok = c.reserveAddr == c.real(ea) && c.load(ea, size, false) == c.reserveValue;
                if (ok) {
                    c.store(ea, size, g[rt], false);
                }
                c.reserveAddr = -1;
                c.setCrField(0, (ok ? 2 : 0) | (c.so ? 1 : 0));
            }
            case 1014 -> { // dcbz
                long block = ea & -CACHE_BLOCK;
                for (int i = 0; i < CACHE_BLOCK; i += 8) {
                    c.store(block + i, 8, 0, false);
                }
            }
            case 54, 86, 246, 278, 982, 598, 854 -> { // dcbst, dcbf, dcbtst, dcbt, icbi, sync/lwsync, eieio
                // storage is coherent and accesses happen in program order here: nothing to do
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void alignment(Cpu c, long ea) {
        c.dar = c.mode(ea);
        c.interrupt(Vector.ALIGNMENT, c.cia, 0);
    }
}
