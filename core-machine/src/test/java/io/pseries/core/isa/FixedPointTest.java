package io.pseries.core.isa;

import static io.pseries.core.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Fixed-point arithmetic, logical and compare rules (POWER ISA 3.0 Book I, 3.3.9-3.3.13). */
class FixedPointTest {
    private static final long CA = 0x2000_0000L;
    private static final long OV = 0x4000_0000L;
    private static final long SO = 0x8000_0000L;
    private static final long OV32 = 0x8_0000L;
    private static final long CA32 = 0x4_0000L;

    @Test
    void addiWithRaZeroLoadsTheImmediateAndAddisShiftsIt() {
        CpuFixture f = new CpuFixture().set(5, 100).run(addi(3, 0, -2), addi(4, 5, 7), d(15, 6, 0, 0x8000));
        assertEquals(-2, f.r(3));
        assertEquals(107, f.r(4));
        assertEquals(0xFFFF_FFFF_8000_0000L, f.r(6), "addis sign-extends the shifted immediate");
    }

    @Test
    void addcSetsCarryOutOfBit0In64BitMode() {
        CpuFixture f = new CpuFixture().set(4, -1).set(5, 1).run(xo(3, 4, 5, 0, 10, 0));
        assertEquals(0, f.r(3));
        assertEquals(CA | CA32, f.cpu.xerValue() & (CA | CA32));
    }

    @Test
    void carryIn32BitModeIsTheCarryOutOfBit32() {
        CpuFixture f = new CpuFixture(0).set(4, 0xFFFF_FFFFL).set(5, 1).run(xo(3, 4, 5, 0, 10, 0));
        assertEquals(0x1_0000_0000L, f.r(3), "the register keeps all 64 bits");
        assertEquals(CA | CA32, f.cpu.xerValue() & (CA | CA32));
    }

    @Test
    void addeAddsTheCarryAndAddzePropagatesIt() {
        CpuFixture f = new CpuFixture().set(4, -1).set(5, 1).set(6, 10)
            .run(xo(3, 4, 5, 0, 10, 0), xo(7, 6, 0, 0, 202, 0));
        assertEquals(11, f.r(7));
        assertEquals(0, f.cpu.xerValue() & CA, "addze of 10 + 1 has no carry out");
    }

    @Test
    void subfcCarryMeansNoBorrow() {
        CpuFixture f = new CpuFixture().set(4, 5).set(5, 7).run(xo(3, 4, 5, 0, 8, 0)); // 7 - 5
        assertEquals(2, f.r(3));
        assertEquals(CA, f.cpu.xerValue() & CA);
        f = new CpuFixture().set(4, 7).set(5, 5).run(xo(3, 4, 5, 0, 8, 0)); // 5 - 7
        assertEquals(-2, f.r(3));
        assertEquals(0, f.cpu.xerValue() & CA);
    }

    @Test
    void addoSetsOverflowAndStickySummaryOverflow() {
        CpuFixture f = new CpuFixture().set(4, Long.MAX_VALUE).set(5, 1).set(6, 1)
            .run(xo(3, 4, 5, 1, 266, 0), xo(7, 6, 6, 1, 266, 0));
        assertEquals(SO, f.cpu.xerValue() & (SO | OV), "the second addo clears OV but SO stays");
        f = new CpuFixture().set(4, Long.MAX_VALUE).set(5, 1).run(xo(3, 4, 5, 1, 266, 1));
        assertEquals(SO | OV, f.cpu.xerValue() & (SO | OV));
        assertEquals(0b1001, f.crField(0), "CR0: negative result, SO copied");
    }

    @Test
    void overflow32IsTheLowWordOverflow() {
        CpuFixture f = new CpuFixture().set(4, 0x7FFF_FFFFL).set(5, 1).run(xo(3, 4, 5, 1, 266, 0));
        assertEquals(OV32, f.cpu.xerValue() & (OV | OV32), "64-bit mode: no OV, but OV32");
        f = new CpuFixture(0).set(4, 0x7FFF_FFFFL).set(5, 1).run(xo(3, 4, 5, 1, 266, 0));
        assertEquals(OV | OV32, f.cpu.xerValue() & (OV | OV32), "32-bit mode: OV follows the low word");
    }

    @Test
    void recordFormSetsCr0FromTheSignedResult() {
        CpuFixture f = new CpuFixture().set(4, 3).run(d(13, 3, 4, -3));
        assertEquals(0b0010, f.crField(0), "addic. to zero: EQ");
        f = new CpuFixture().set(4, 1L << 40).run(x(4, 3, 4, 444, 1)); // or. r3,r4,r4
        assertEquals(0b0100, f.crField(0), "positive: GT");
        f = new CpuFixture(0).set(4, 0x1_8000_0000L).run(x(4, 3, 4, 444, 1));
        assertEquals(0b1000, f.crField(0), "32-bit mode compares the low word: LT");
    }

    @Test
    void compareSignedAndLogicalWordAndDoubleword() {
        CpuFixture f = new CpuFixture().set(4, -1).set(5, 1)
            .run(x(0, 4, 5, 0, 0), x(1 << 2 | 1, 4, 5, 0, 0), x(2 << 2 | 1, 4, 5, 32, 0), d(11, 3 << 2, 4, -1));
        assertEquals(0b1000, f.crField(0), "cmpw -1 < 1");
        assertEquals(0b1000, f.crField(1), "cmpd -1 < 1");
        assertEquals(0b0100, f.crField(2), "cmpld 0xfff..f > 1");
        assertEquals(0b0010, f.crField(3), "cmpdi -1 == -1");
        f = new CpuFixture().set(4, 0x1_0000_0005L).run(d(10, 0, 4, 5));
        assertEquals(0b0010, f.crField(0), "cmplwi compares the low word only");
    }

    @Test
    void multiplyHighAndLow() {
        CpuFixture f = new CpuFixture().set(4, -2).set(5, 3).set(6, 0xFFFF_FFFFL)
            .run(xo(3, 4, 5, 0, 235, 0), xo(7, 4, 5, 0, 9, 0), xo(8, 4, 5, 0, 73, 0), xo(9, 6, 6, 0, 11, 0), d(7, 10, 5, -7));
        assertEquals(-6, f.r(3), "mullw");
        assertEquals(2, f.r(7), "mulhdu of 2^64-2 by 3");
        assertEquals(-1, f.r(8), "mulhd of -2 by 3");
        assertEquals(0xFFFF_FFFEL, f.r(9), "mulhwu");
        assertEquals(-21, f.r(10), "mulli");
    }

    @Test
    void divideByZeroGivesTheDividendAndSetsOverflow() {
        CpuFixture f = new CpuFixture().set(4, 42).set(5, 0).set(6, -7).set(7, 2)
            .run(xo(3, 4, 5, 1, 457, 0), xo(8, 6, 7, 0, 489, 0), xo(9, 6, 7, 0, 491, 0));
        assertEquals(42, f.r(3));
        assertEquals(OV | SO, f.cpu.xerValue() & (OV | SO));
        assertEquals(-3, f.r(8), "divd rounds toward zero");
        assertEquals(0xFFFF_FFFDL, f.r(9), "divw leaves the quotient in the low word");
    }

    @Test
    void signExtensionAndCounts() {
        CpuFixture f = new CpuFixture().set(4, 0x80L).set(5, 0x8000L).set(6, 0x8000_0000L)
            .run(x(4, 3, 0, 954, 0), x(5, 7, 0, 922, 0), x(6, 8, 0, 986, 0), x(5, 9, 0, 26, 0), x(6, 10, 0, 58, 0));
        assertEquals(-128, f.r(3), "extsb");
        assertEquals(-32768, f.r(7), "extsh");
        assertEquals(0xFFFF_FFFF_8000_0000L, f.r(8), "extsw");
        assertEquals(16, f.r(9), "cntlzw");
        assertEquals(32, f.r(10), "cntlzd");
    }

    @Test
    void logicalImmediatesAndAndcNeg() {
        CpuFixture f = new CpuFixture().set(4, 0xF0F0).set(5, 0xFF)
            .run(d(28, 4, 3, 0x0F0F), d(25, 4, 6, 1), x(4, 7, 5, 60, 0), xo(8, 5, 0, 0, 104, 0));
        assertEquals(0, f.r(3));
        assertEquals(0b0010, f.crField(0), "andi. always records");
        assertEquals(0x1_F0F0L, f.r(6), "oris");
        assertEquals(0xF000L, f.r(7), "andc");
        assertEquals(-0xFF, f.r(8), "neg");
    }
}
