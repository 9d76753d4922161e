package io.pseries.core.isa;

import static io.pseries.core.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Rotate and shift rules (POWER ISA 3.0 Book I, 3.3.14). */
class RotateShiftTest {

    @Test
    void rlwinmMasksTheRotatedLowWord() {
        CpuFixture f = new CpuFixture().set(4, 0xFFFF_FFFF_1234_5678L)
            .run(rlwinm(3, 4, 8, 24, 31, 0), rlwinm(5, 4, 0, 0, 31, 0));
        assertEquals(0x12L, f.r(3), "rotate by 8 then keep the low byte");
        assertEquals(0x1234_5678L, f.r(5), "the high word is cleared by MASK(32, 63)");
    }

    @Test
    void rlwinmWithMbAfterMeWrapsTheMaskAndSetsTheHighWordFromTheDoubledWord() {
        CpuFixture f = new CpuFixture().set(4, 0x8000_0001L).run(rlwinm(3, 4, 0, 31, 0, 0));
        // MASK(63, 32) is ones from bit 63 around to bit 32: the whole doubleword but bits 33..62
        assertEquals(0x8000_0001_8000_0001L, f.r(3));
    }

    @Test
    void rlwimiInsertsUnderTheMask() {
        CpuFixture f = new CpuFixture().set(3, 0xAAAA_AAAAL).set(4, 0x55L)
            .run((20 << 26) | (4 << 21) | (3 << 16) | (8 << 11) | (16 << 6) | (23 << 1));
        assertEquals(0xAAAA_55AAL, f.r(3));
    }

    @Test
    void rldiclRldicrRldicAndRldimi() {
        CpuFixture f = new CpuFixture().set(4, 0x0123_4567_89AB_CDEFL).set(9, 0xFFFF_FFFF_FFFF_FFFFL)
            .run(md(0, 3, 4, 4, 32, 0), md(1, 5, 4, 0, 7, 0), md(2, 6, 4, 8, 48, 0), md(3, 9, 4, 32, 16, 0),
                md(0, 10, 4, 63, 0, 0));
        assertEquals(0x0000_0000_9ABC_DEF0L, f.r(3), "rldicl sh=4 mb=32");
        assertEquals(0x0100_0000_0000_0000L, f.r(5), "rldicr (sldi-like) me=7");
        assertEquals(0x0000_0000_0000_EF00L, f.r(6), "rldic sh=8 mb=48: MASK(48, 55)");
        assertEquals(0xFFFF_CDEF_FFFF_FFFFL, f.r(9), "rldimi sh=32 mb=16 inserts under MASK(16, 31), keeps RA elsewhere");
        assertEquals(0x8091_A2B3_C4D5_E6F7L, f.r(10), "rldicl sh=63 is a rotate right by 1");
    }

    @Test
    void shiftsByMoreThanTheWidthGiveZero() {
        CpuFixture f = new CpuFixture().set(4, 0xFFFF_FFFFL).set(5, 32).set(6, 4).set(7, 64)
            .run(x(4, 3, 5, 24, 0), x(4, 8, 6, 24, 0), x(4, 9, 6, 536, 0), x(4, 10, 7, 27, 0));
        assertEquals(0, f.r(3), "slw by 32");
        assertEquals(0xFFFF_FFF0L, f.r(8), "slw by 4 keeps 32 bits");
        assertEquals(0x0FFF_FFFFL, f.r(9), "srw by 4");
        assertEquals(0, f.r(10), "sld by 64");
    }

    @Test
    void algebraicShiftSetsCarryWhenOnesLeaveANegativeValue() {
        CpuFixture f = new CpuFixture().set(4, -5).run(x(4, 3, 1, 824, 0)); // srawi r3,r4,1
        assertEquals(-3, f.r(3));
        assertEquals(0x2000_0000L, f.cpu.xerValue() & 0x2000_0000L);
        f = new CpuFixture().set(4, -4).run(x(4, 3, 1, 824, 0));
        assertEquals(-2, f.r(3));
        assertEquals(0, f.cpu.xerValue() & 0x2000_0000L, "nothing lost: no carry");
        f = new CpuFixture().set(4, 5).run(x(4, 3, 1, 824, 0));
        assertEquals(0, f.cpu.xerValue() & 0x2000_0000L, "positive: no carry");
        f = new CpuFixture().set(4, Long.MIN_VALUE + 1).run((31 << 26) | (4 << 21) | (3 << 16) | (1 << 11) | (413 << 2) | 2);
        assertEquals(-(1L << 30), f.r(3), "sradi by 33 (sh5 set) keeps the sign");
        assertEquals(0x2000_0000L, f.cpu.xerValue() & 0x2000_0000L);
    }
}
