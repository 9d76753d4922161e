package io.pseries.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds minimal ELF64 PowerPC executables for the loader tests (one PT_LOAD segment). */
public final class TinyElf {
    private TinyElf() {
    }

    /** An ELF whose one segment holds {@code words} (encoded in the ELF's byte order) at {@code paddr}, plus {@code bss} zero bytes. */
    public static byte[] build(boolean le, int machine, long paddr, int[] words, long bss) {
        int code = words.length * 4;
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + code).order(le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, (byte) (le ? 1 : 2), 1, 0});
        b.position(16);
        b.putShort((short) 2); // ET_EXEC
        b.putShort((short) machine);
        b.putInt(1);
        b.putLong(paddr); // e_entry
        b.putLong(64); // e_phoff
        b.putLong(0); // e_shoff
        b.putInt(0);
        b.putShort((short) 64);
        b.putShort((short) 56);
        b.putShort((short) 1);
        b.putShort((short) 0);
        b.putShort((short) 0);
        b.putShort((short) 0);
        b.putInt(1); // PT_LOAD
        b.putInt(7);
        b.putLong(64 + 56); // p_offset
        b.putLong(paddr);
        b.putLong(paddr);
        b.putLong(code);
        b.putLong(code + bss);
        b.putLong(0x10000);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }
}
