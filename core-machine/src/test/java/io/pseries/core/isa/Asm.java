package io.pseries.core.isa;

/** Encodes the POWER instructions the tests use (field layouts from the ISA's instruction formats). */
public final class Asm {
    private Asm() {
    }

    public static int d(int op, int rt, int ra, int imm) {
        return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xFFFF);
    }

    public static int ds(int op, int rt, int ra, int imm, int xo) {
        return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xFFFC) | xo;
    }

    public static int x(int rt, int ra, int rb, int xo, int rc) {
        return (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc;
    }

    public static int xo(int rt, int ra, int rb, int oe, int xo, int rc) {
        return (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (oe << 10) | (xo << 1) | rc;
    }

    public static int addi(int rt, int ra, int si) {
        return d(14, rt, ra, si);
    }

    public static int rlwinm(int ra, int rs, int sh, int mb, int me, int rc) {
        return (21 << 26) | (rs << 21) | (ra << 16) | (sh << 11) | (mb << 6) | (me << 1) | rc;
    }

    /** MD-form (rldicl 0, rldicr 1, rldic 2, rldimi 3). */
    public static int md(int xo, int ra, int rs, int sh, int mbe, int rc) {
        int mbField = ((mbe & 31) << 1) | (mbe >>> 5);
        return (30 << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) | (mbField << 5) | (xo << 2)
            | ((sh >>> 5) << 1) | rc;
    }

    public static int bc(int bo, int bi, int bd, int aa, int lk) {
        return (16 << 26) | (bo << 21) | (bi << 16) | (bd & 0xFFFC) | (aa << 1) | lk;
    }

    public static int b(int li, int aa, int lk) {
        return (18 << 26) | (li & 0x03FF_FFFC) | (aa << 1) | lk;
    }

    public static int xl(int bo, int bi, int xo, int lk) {
        return (19 << 26) | (bo << 21) | (bi << 16) | (xo << 1) | lk;
    }

    public static int spr(int rt, int spr, int xo) {
        return (31 << 26) | (rt << 21) | ((spr & 31) << 16) | ((spr >>> 5) << 11) | (xo << 1);
    }

    public static int mtspr(int spr, int rs) {
        return spr(rs, spr, 467);
    }

    public static int mfspr(int rt, int spr) {
        return spr(rt, spr, 339);
    }

    public static final int SC0 = 0x4400_0002;
    public static final int SC1 = 0x4400_0022;
    public static final int RFID = xl(0, 0, 18, 0);
    public static final int NOP = d(24, 0, 0, 0);
}
