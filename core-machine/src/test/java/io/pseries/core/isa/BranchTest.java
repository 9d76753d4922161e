package io.pseries.core.isa;

import static io.pseries.core.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Branch and CR logical rules (POWER ISA 3.0 Book I, 2.4-2.5). */
class BranchTest {
    private static final long CODE = CpuFixture.CODE;

    @Test
    void blSetsTheLinkRegisterAndBranchesRelative() {
        CpuFixture f = new CpuFixture().run(b(0x100, 0, 1));
        assertEquals(CODE + 0x100, f.cpu.pc());
        assertEquals(CODE + 4, f.cpu.lr());
        f = new CpuFixture().run(b(0x2000, 1, 0));
        assertEquals(0x2000L, f.cpu.pc(), "ba is absolute");
    }

    @Test
    void bdnzDecrementsCtrAndBranchesWhileNonZero() {
        CpuFixture f = new CpuFixture().set(4, 3);
        // mtctr r4; loop: addi r5,r5,1; bdnz loop
        f.load(CODE, mtspr(9, 4), addi(5, 5, 1), bc(16, 0, -4, 0, 0), NOP);
        f.cpu.setPc(CODE);
        f.cpu.run(1 + 3 * 2);
        assertEquals(3, f.r(5));
        assertEquals(0, f.cpu.ctr());
        assertEquals(CODE + 12, f.cpu.pc(), "fell through after CTR reached 0");
    }

    @Test
    void ctrIsTestedOnItsLowWordIn32BitMode() {
        CpuFixture f = new CpuFixture(0).set(4, 0x1_0000_0001L);
        f.run(mtspr(9, 4), bc(16, 0, 0x40, 0, 0));
        assertEquals(CODE + 8, f.cpu.pc(), "CTR low word became 0: bdnz not taken");
    }

    @Test
    void conditionalBranchTestsTheCrBit() {
        CpuFixture f = new CpuFixture().set(4, 5).run(d(11, 0, 4, 5), bc(12, 2, 0x40, 0, 0));
        assertEquals(CODE + 4 + 0x40, f.cpu.pc(), "beq taken");
        f = new CpuFixture().set(4, 5).run(d(11, 0, 4, 5), bc(4, 2, 0x40, 0, 0));
        assertEquals(CODE + 8, f.cpu.pc(), "bne not taken");
    }

    @Test
    void bclrlBranchesToTheOldLinkRegister() {
        CpuFixture f = new CpuFixture().set(4, 0x3000).run(mtspr(8, 4), xl(20, 0, 16, 1));
        assertEquals(0x3000L, f.cpu.pc());
        assertEquals(CODE + 8, f.cpu.lr());
    }

    @Test
    void bcctrWithCtrDecrementIsInvalid() {
        CpuFixture f = new CpuFixture().run(xl(16, 0, 528, 0));
        assertEquals(Vector.PROGRAM.offset, f.cpu.pc());
        assertEquals(Vector.SRR1_PROGRAM_ILLEGAL, f.cpu.srr1() & 0xF_0000L);
    }

    @Test
    void crLogicalAndMcrf() {
        // cmpwi cr0: EQ; crxor 4*1+0 (cr1.lt) = cr0.eq ^ cr0.lt; mcrf cr7,cr0; crnor cr0.gt = !(gt|gt)
        CpuFixture f = new CpuFixture().run(d(11, 0, 0, 0), xl(4, 2, 193, 0) | (0 << 11),
            (19 << 26) | (7 << 23) | (0 << 18), xl(1, 1, 33, 0) | (1 << 11));
        assertEquals(0b1000, f.crField(1), "crxor set cr1.lt from eq ^ lt");
        assertEquals(0b0010, f.crField(7), "mcrf copied cr0 before crnor changed it");
        assertEquals(0b0110, f.crField(0), "crnor set cr0.gt");
    }

    @Test
    void iselPicksRaOrRbByTheCrBit() {
        CpuFixture f = new CpuFixture().set(4, 11).set(5, 22)
            .run(d(11, 0, 4, 11), (31 << 26) | (3 << 21) | (4 << 16) | (5 << 11) | (2 << 6) | (15 << 1),
                (31 << 26) | (6 << 21) | (0 << 16) | (5 << 11) | (2 << 6) | (15 << 1),
                (31 << 26) | (7 << 21) | (4 << 16) | (5 << 11) | (0 << 6) | (15 << 1));
        assertEquals(11, f.r(3), "isel eq: RA");
        assertEquals(0, f.r(6), "RA = 0 reads as 0");
        assertEquals(22, f.r(7), "lt clear: RB");
    }

    @Test
    void mtocrfAndMfocrfMoveOneField() {
        CpuFixture f = new CpuFixture().set(4, 0x1234_5678L)
            .run((31 << 26) | (4 << 21) | (1 << 20) | (0x08 << 12) | (144 << 1),
                (31 << 26) | (5 << 21) | (1 << 20) | (0x08 << 12) | (19 << 1),
                (31 << 26) | (6 << 21) | (19 << 1));
        assertEquals(0x0000_5000L, f.r(5), "mfocrf returns only field 4");
        assertEquals(0x0000_5000L, f.r(6), "mtocrf changed only field 4");
    }
}
