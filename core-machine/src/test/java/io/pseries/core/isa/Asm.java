package io.pseries.core.isa;

/** Encodes the POWER instructions the tests use (field layouts from the ISA's instruction formats). */
final class Asm {
    private Asm() {
    }

    static int d(int op, int rt, int ra, int imm) {
        return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xFFFF);
    }

    static int ds(int op, int rt, int ra, int imm, int xo) {
        return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xFFFC) | xo;
    }

    static int x(int rt, int ra, int rb, int xo, int rc) {
        return (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc;
    }

    static int xo(int rt, int ra, int rb, int oe, int xo, int rc) {
        return (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (oe << 10) | (xo << 1) | rc;
    }

    static int addi(int rt, int ra, int si) {
        return d(14, rt, ra, si);
    }

    static int rlwinm(int ra, int rs, int sh, int mb, int me, int rc) {
        return (21 << 26) | (rs << 21) | (ra << 16) | (sh << 11) | (mb << 6) | (me << 1) | rc;
    }

    /** MD-form (rldicl 0, rldicr 1, rldic 2, rldimi 3). */
    static int md(int xo, int ra, int rs, int sh, int mbe, int rc) {
        int mbField = ((mbe & 31) << 1) | (mbe >>> 5);
        return (30 << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) | (mbField << 5) | (xo << 2)
            | ((sh >>> 5) << 1) | rc;
    }

    static int bc(int bo, int bi, int bd, int aa, int lk) {
        return (16 << 26) | (bo << 21) | (bi << 16) | (bd & 0xFFFC) | (aa << 1) | lk;
    }

    static int b(int li, int aa, int lk) {
        return (18 << 26) | (li & 0x03FF_FFFC) | (aa << 1) | lk;
    }

    static int xl(int bo, int bi, int xo, int lk) {
        return (19 << 26) | (bo << 21) | (bi << 16) | (xo << 1) | lk;
    }

    static int spr(int rt, int spr, int xo) {
        return (31 << 26) | (rt << 21) | ((spr & 31) << 16) | ((spr >>> 5) << 11) | (xo << 1);
    }

    static int mtspr(int spr, int rs) {
        return spr(rs, spr, 467);
    }

    static int mfspr(int rt, int spr) {
        return spr(rt, spr, 339);
    }

    static final int SC0 = 0x4400_0002;
    static final int SC1 = 0x4400_0022;
    static final int RFID = xl(0, 0, 18, 0);
    static final int NOP = d(24, 0, 0, 0);
}
