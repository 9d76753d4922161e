package io.pseries.core.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A 64-bit PowerPC ELF executable as a loader sees it: its byte order, entry address and the
 * PT_LOAD segments (physical address, file bytes, memory size). Only what loading needs is read;
 * everything else in the file (sections, symbols) is ignored.
 *
 * <p>Bad input (not ELF, not 64-bit PowerPC, truncated headers or segments) throws an
 * {@link IllegalArgumentException} saying what is wrong. Threading: immutable once parsed.
 */
public final class ElfImage {
    /** e_machine of 64-bit PowerPC. */
    public static final int EM_PPC64 = 21;
    private static final int PT_LOAD = 1;

    /** One PT_LOAD segment: its load (physical) address, the file bytes and the size in memory. */
    public record Segment(long paddr, long vaddr, byte[] data, long memSize) {
    }

    private final boolean littleEndian;
    private final long entry;
    private final List<Segment> segments;

    private ElfImage(boolean littleEndian, long entry, List<Segment> segments) {
        this.littleEndian = littleEndian;
        this.entry = entry;
        this.segments = List.copyOf(segments);
    }

    /** Parses an ELF file's bytes. */
    public static ElfImage parse(byte[] file) {
        if (file.length < 64 || file[0] != 0x7F || file[1] != 'E' || file[2] != 'L' || file[3] != 'F') {
            throw new IllegalArgumentException("not an ELF file (no \\x7fELF magic at its start)");
        }
        if (file[4] != 2) {
            throw new IllegalArgumentException("not a 64-bit ELF file (class " + file[4] + "); a pseries payload is ELF64");
        }
        boolean le = switch (file[5]) {
            case 1 -> true;
            case 2 -> false;
            default -> throw new IllegalArgumentException("ELF file with an unknown byte order (EI_DATA " + file[5] + ")");
        };
        ByteBuffer b = ByteBuffer.wrap(file).order(le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int machine = b.getShort(18) & 0xFFFF;
        if (machine != EM_PPC64) {
            throw new IllegalArgumentException("ELF file for machine " + machine + ", not 64-bit PowerPC (" + EM_PPC64 + ")");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xFFFF;
        int phnum = b.getShort(56) & 0xFFFF;
        if (phnum == 0) {
            throw new IllegalArgumentException("ELF file has no program headers: nothing to load");
        }
        if (phentsize < 56 || phoff < 0 || phoff + (long) phentsize * phnum > file.length) {
            throw new IllegalArgumentException("ELF program headers lie outside the file (offset " + phoff + ", "
                + phnum + " x " + phentsize + " bytes, file " + file.length + " bytes)");
        }
        List<Segment> segs = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (b.getInt(p) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(p + 8);
            long vaddr = b.getLong(p + 16);
            long paddr = b.getLong(p + 24);
            long filesz = b.getLong(p + 32);
            long memsz = b.getLong(p + 40);
            if (offset < 0 || filesz < 0 || offset + filesz > file.length || memsz < filesz) {
                throw new IllegalArgumentException(String.format("ELF segment %d (file offset 0x%x, 0x%x bytes, 0x%x in"
                    + " memory) does not fit the %d-byte file", i, offset, filesz, memsz, file.length));
            }
            byte[] data = new byte[(int) filesz];
            System.arraycopy(file, (int) offset, data, 0, (int) filesz);
            segs.add(new Segment(paddr, vaddr, data, memsz));
        }
        if (segs.isEmpty()) {
            throw new IllegalArgumentException("ELF file has no loadable (PT_LOAD) segment");
        }
        return new ElfImage(le, entry, segs);
    }

    public boolean littleEndian() {
        return littleEndian;
    }

    /** e_entry. */
    public long entry() {
        return entry;
    }

    public List<Segment> segments() {
        return segments;
    }
}
