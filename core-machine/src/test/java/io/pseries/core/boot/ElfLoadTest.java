package io.pseries.core.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.isa.Asm;
import io.pseries.core.isa.Cpu;
import io.pseries.core.mem.GuestMemory;

/** The ELF loader and VOF's entry state (QEMU's spapr with x-vof=on and -kernel). */
class ElfLoadTest {

    @Test
    void badFilesAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ElfImage.parse(new byte[100])).getMessage()
            .contains("not an ELF file"));
        byte[] x86 = TinyElf.build(true, 62, 0, new int[] {0}, 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ElfImage.parse(x86)).getMessage()
            .contains("machine 62, not 64-bit PowerPC"));
        byte[] elf32 = TinyElf.build(true, 21, 0, new int[] {0}, 0);
        elf32[4] = 1;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ElfImage.parse(elf32)).getMessage()
            .contains("not a 64-bit ELF"));
        byte[] cut = java.util.Arrays.copyOf(TinyElf.build(true, 21, 0, new int[] {1, 2, 3}, 0), 64 + 56 + 4);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ElfImage.parse(cut)).getMessage()
            .contains("does not fit"));
    }

    @Test
    void segmentsLoadAtTheirAddressMaskedTo28BitsPlusKernelLoadAddr() {
        GuestMemory ram = new GuestMemory(64 << 20);
        ram.write32(0x40_0108, -1);
        ElfImage elf = ElfImage.parse(TinyElf.build(false, 21, 0xC000_0000_0000_0100L, new int[] {0x1122_3344, 0x5566_7788}, 8));
        VofBoot.Loaded l = VofBoot.load(ram, elf);
        assertEquals(0x1122_3344, ram.read32(0x40_0100));
        assertEquals(0, ram.read32(0x40_0108), "the memory tail is zeroed");
        assertEquals(0x40_0000L, l.entry(), "VOF enters at the load address, not at e_entry");
        assertEquals(0x40_0100L, l.low());
        assertEquals(0x40_0110L, l.high());
    }

    @Test
    void aSegmentOutsideRamIsRefused() {
        GuestMemory ram = new GuestMemory(4 << 20);
        ElfImage elf = ElfImage.parse(TinyElf.build(true, 21, 0x0FFF_0000L, new int[] {0}, 0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VofBoot.load(ram, elf)).getMessage()
            .contains("does not fit in the machine's RAM"));
    }

    @Test
    void vofEntersBigEndian32BitWithMsr0AndTheClientInterfaceInR5() {
        Machine m = FakeIntc.machine(1, "xive");
        // big-endian code: mfmsr r6; mr r7,r5 (or r7,r5,r5); bctrl-free call of the CI stub: mtctr r5; bctrl
        int[] code = {Asm.x(6, 0, 0, 83, 0), Asm.x(5, 7, 5, 444, 0), Asm.mtspr(9, 5), Asm.xl(20, 0, 528, 1), Asm.b(0, 0, 0)};
        m.loadElf(TinyElf.build(false, 21, 0, code, 0));
        Cpu c = m.interpreter(0);
        assertEquals(0x40_0000L, c.pc());
        assertEquals(0, c.msr());
        m.cpuThreads().setBudget(0, 6);
        m.runGuest(1_000_000);
        assertEquals(0, c.gpr(6), "MSR at entry is 0: big-endian, 32-bit");
        assertEquals(VofBoot.CLIENT_INTERFACE, c.gpr(7));
        assertEquals(-1, c.gpr(3), "the client-interface stub answers -1");
        assertEquals(0x40_0010L, c.pc(), "returned after the bctrl");
    }
}
