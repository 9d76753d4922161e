package io.pseries.core.isa;

import static io.pseries.core.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Load and store rules (POWER ISA 3.0 Book I, 3.3.2-3.3.7; Book II, 4.4). */
class LoadStoreTest {
    private static final long DATA = 0x8000;

    @Test
    void bigEndianModeLoadsBytesMostSignificantFirst() {
        CpuFixture f = new CpuFixture().set(4, DATA);
        f.bus.ram.write32(DATA, 0x1122_3344);
        f.run(d(32, 3, 4, 0), d(34, 5, 4, 1), d(40, 6, 4, 2));
        assertEquals(0x1122_3344L, f.r(3));
        assertEquals(0x22L, f.r(5));
        assertEquals(0x3344L, f.r(6));
    }

    @Test
    void littleEndianModeLoadsBytesLeastSignificantFirst() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.LE).set(4, DATA);
        f.bus.ram.write32(DATA, 0x1122_3344);
        f.run(d(32, 3, 4, 0), d(40, 6, 4, 0), ds(62, 3, 4, 8, 0));
        assertEquals(0x4433_2211L, f.r(3));
        assertEquals(0x2211L, f.r(6));
        assertEquals(0x11L, f.bus.ram.read8(DATA + 8), "std LE puts the low-order byte first");
    }

    @Test
    void byteReversedLoadsUndoTheModesOrder() {
        CpuFixture le = new CpuFixture(Msr.SF | Msr.LE).set(4, DATA);
        le.bus.ram.write64(DATA, 0x1122_3344_5566_7788L);
        le.run(x(3, 0, 4, 534, 0), x(5, 0, 4, 532, 0), x(6, 0, 4, 790, 0));
        assertEquals(0x1122_3344L, le.r(3), "lwbrx in LE mode reads big-endian");
        assertEquals(0x1122_3344_5566_7788L, le.r(5), "ldbrx in LE mode");
        assertEquals(0x1122L, le.r(6), "lhbrx in LE mode");
        CpuFixture be = new CpuFixture().set(4, DATA);
        be.bus.ram.write32(DATA, 0x1122_3344);
        be.run(x(3, 0, 4, 534, 0));
        assertEquals(0x4433_2211L, be.r(3), "lwbrx in BE mode reads little-endian");
    }

    @Test
    void algebraicLoadsSignExtend() {
        CpuFixture f = new CpuFixture().set(4, DATA);
        f.bus.ram.write32(DATA, 0x8001_FFFE);
        f.run(d(42, 3, 4, 0), ds(58, 5, 4, 0, 2), d(40, 6, 4, 0), x(7, 0, 4, 341, 0));
        assertEquals(-32767, f.r(3), "lha");
        assertEquals((long) 0x8001_FFFE, f.r(5), "lwa");
        assertEquals(0x8001L, f.r(6), "lhz zero-extends");
        assertEquals((long) 0x8001_FFFE, f.r(7), "lwax");
    }

    @Test
    void updateFormsWriteTheAddressBackAndRaZeroIsInvalid() {
        CpuFixture f = new CpuFixture().set(1, DATA + 64).set(3, 0x55);
        f.run(ds(62, 3, 1, -16, 1), d(35, 5, 1, 1));
        assertEquals(DATA + 48, f.r(1) - 1, "stdu then lbzu moved r1 by -16 then +1");
        assertEquals(0x55L, f.bus.ram.read64(DATA + 48));
        CpuFixture bad = new CpuFixture().set(4, DATA).run(d(33, 4, 4, 0)); // lwzu r4,0(r4)
        assertEquals(Vector.SRR1_PROGRAM_ILLEGAL, bad.cpu.srr1() & 0xF_0000L, "lwzu with RA = RT is an invalid form");
    }

    @Test
    void loadStoreMultipleInBigEndianAndAlignmentInLittleEndian() {
        CpuFixture f = new CpuFixture().set(4, DATA).set(29, 1).set(30, 2).set(31, 3);
        f.run(d(47, 29, 4, 0), d(46, 28, 4, -4));
        assertEquals(2, f.bus.ram.read32(DATA + 4));
        assertEquals(3L, f.r(31));
        assertEquals(2L, f.r(30));
        CpuFixture le = new CpuFixture(Msr.SF | Msr.LE).set(4, DATA).run(d(47, 29, 4, 8));
        assertEquals(Vector.ALIGNMENT.offset, le.cpu.pc(), "stmw in LE mode raises the alignment interrupt");
        assertEquals(DATA + 8, le.cpu.registers().get("dar"));
        assertEquals(CpuFixture.CODE, le.cpu.srr0());
    }

    @Test
    void storeConditionalSucceedsOnlyWithAnIntactReservation() {
        CpuFixture f = new CpuFixture().set(4, DATA).set(5, 7).set(6, 8);
        f.run(x(3, 0, 4, 20, 0), x(5, 0, 4, 150, 1), x(6, 0, 4, 150, 1));
        assertEquals(7, f.bus.ram.read32(DATA), "the first stwcx. stored");
        assertEquals(0, f.crField(0) & 0b1101);
        assertEquals(0, f.crField(0) & 0b0010, "the second stwcx. failed: the reservation was used");
        CpuFixture g = new CpuFixture().set(4, DATA).set(5, 7);
        g.load(CpuFixture.CODE, x(3, 0, 4, 20, 0), x(5, 0, 4, 150, 1));
        g.cpu.setPc(CpuFixture.CODE);
        g.cpu.run(1);
        g.bus.ram.write32(DATA, 9); // another CPU changed the word
        g.cpu.run(1);
        assertEquals(9, g.bus.ram.read32(DATA));
        assertEquals(0, g.crField(0) & 0b0010, "stwcx. fails after another store changed the word");
    }

    @Test
    void accessesOutsideRamGoToTheBusAndTopAddressBitsAreIgnoredInRealMode() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.LE).set(4, 0x6030_2031_A000_0L).set(5, 0xFF);
        f.bus.ioValue = 0x8006;
        f.run(d(38, 5, 4, 0x11), x(3, 0, 4, 790, 0));
        assertEquals(List.of("store 0x60302031a0011 1 0xff", "load 0x60302031a0000 2"), f.bus.io);
        assertEquals(0x8006L, f.r(3), "lhbrx in LE of a big-endian MMIO value");
        CpuFixture g = new CpuFixture().set(4, 0xC000_0000_0000_8000L);
        g.bus.ram.write32(DATA, 0x1234);
        g.run(d(32, 3, 4, 0));
        assertEquals(0x1234L, g.r(3), "EA bits 0:3 are ignored");
        CpuFixture h = new CpuFixture(0).set(4, 0xFFFF_FFFF_0000_8000L);
        h.bus.ram.write32(DATA, 0x4321);
        h.run(d(32, 3, 4, 0));
        assertEquals(0x4321L, h.r(3), "32-bit mode uses the low word of the EA");
    }

    @Test
    void dcbzClearsTheAlignedCacheBlock() {
        CpuFixture f = new CpuFixture().set(4, DATA + 0x90);
        for (int i = 0; i < 0x180; i += 8) {
            f.bus.ram.write64(DATA + i, -1);
        }
        f.run(x(0, 0, 4, 1014, 0));
        assertEquals(0, f.bus.ram.read64(DATA + 0x80));
        assertEquals(0, f.bus.ram.read64(DATA + 0xF8));
        assertTrue(f.bus.ram.read64(DATA + 0x78) == -1 && f.bus.ram.read64(DATA + 0x100) == -1);
    }
}
