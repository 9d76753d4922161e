package io.pseries.core.boot;

import io.pseries.core.isa.Cpu;
import io.pseries.core.mem.GuestMemory;

/**
 * Loading a payload and entering it as QEMU's pseries machine does with {@code x-vof=on}
 * (Virtual Open Firmware) and {@code -kernel FILE}.
 *
 * <p>Load: every PT_LOAD segment goes to {@code (p_paddr & 0x0FFFFFFF) + 0x400000}
 * (spapr's kernel address translation onto KERNEL_LOAD_ADDR), its memory tail beyond the file
 * bytes zeroed. Entry: VOF jumps to the kernel load address itself (the {@code qemu,boot-kernel}
 * property), not to e_entry, in big-endian 32-bit mode with MSR = 0, r3 = the initrd address and
 * r4 its size (both 0: no initrd), r5 = the client-interface entry. No VOF code runs here: the
 * client interface entry is a stub that answers every call with -1 ("failed"), so a payload
 * that does not use Open Firmware services sees what it sees on QEMU.
 *
 * <p>Threading: the machine's thread.
 */
public final class VofBoot {
    /** QEMU's KERNEL_LOAD_ADDR. */
    public static final long KERNEL_LOAD_ADDR = 0x40_0000L;
    /** Address of the client-interface stub handed over in r5 (below the kernel, above the vectors). */
    public static final long CLIENT_INTERFACE = 0x8000L;
    /** The stub, big-endian: {@code li r3,-1 ; blr}. */
    private static final int[] CLIENT_INTERFACE_STUB = {0x3860_FFFF, 0x4E80_0020};

    /** Where an image landed: its entry and the range it occupies. */
    public record Loaded(long entry, long low, long high) {
    }

    private VofBoot() {
    }

    /** Where spapr puts a segment's physical address. */
    public static long translate(long paddr) {
        return (paddr & 0x0FFF_FFFFL) + KERNEL_LOAD_ADDR;
    }

    /** Copies the segments into RAM; throws naming the segment when one does not fit. */
    public static Loaded load(GuestMemory ram, ElfImage elf) {
        long low = Long.MAX_VALUE;
        long high = 0;
        for (ElfImage.Segment s : elf.segments()) {
            long at = translate(s.paddr());
            if (!ram.contains(at, (int) Math.min(s.memSize(), Integer.MAX_VALUE)) || s.memSize() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(String.format("ELF segment at 0x%x (0x%x bytes, loaded at 0x%x) does"
                    + " not fit in the machine's RAM (0x%x bytes)", s.paddr(), s.memSize(), at, ram.size()));
            }
            ram.writeBytes(at, s.data());
            if (s.memSize() > s.data().length) {
                ram.zero(at + s.data().length, s.memSize() - s.data().length);
            }
            low = Math.min(low, at);
            high = Math.max(high, at + s.memSize());
        }
        for (int i = 0; i < CLIENT_INTERFACE_STUB.length; i++) {
            ram.write32(CLIENT_INTERFACE + 4L * i, CLIENT_INTERFACE_STUB[i]);
        }
        return new Loaded(KERNEL_LOAD_ADDR, low, high);
    }

    /** Puts the boot CPU in VOF's entry state for {@code image}. */
    public static void enter(Cpu cpu, Loaded image) {
        for (int i = 0; i < 32; i++) {
            cpu.setGpr(i, 0);
        }
        cpu.putMsr(0);
        cpu.setGpr(3, 0);
        cpu.setGpr(4, 0);
        cpu.setGpr(5, CLIENT_INTERFACE);
        cpu.setPc(image.entry());
        cpu.resume();
    }
}
