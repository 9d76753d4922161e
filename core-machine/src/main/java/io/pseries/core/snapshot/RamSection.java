package io.pseries.core.snapshot;

import io.pseries.core.mem.GuestMemory;

/**
 * Guest RAM, sparse: the numbers of the pages holding a non-zero byte and their contents, one
 * flat array of 64 KiB pages. Every other page reads as zero after restore. Also the boot
 * allocator's next free address.
 */
final class RamSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("allocNext", FieldType.I64, "pages", FieldType.LONGS,
        "data", FieldType.BYTES);

    private final GuestMemory mem;

    RamSection(GuestMemory mem) {
        this.mem = mem;
    }

    @Override
    public String name() {
        return "ram";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        long[] pages = mem.nonZeroPages();
        byte[] data = new byte[Math.multiplyExact(pages.length, GuestMemory.PAGE_SIZE)];
        for (int i = 0; i < pages.length; i++) {
            mem.copyPage(pages[i], data, i * GuestMemory.PAGE_SIZE);
        }
        w.i64("allocNext", mem.allocNext()).longs("pages", pages).bytes("data", data);
    }

    @Override
    public Runnable load(SectionReader r) {
        long allocNext = r.i64("allocNext");
        if (allocNext < GuestMemory.ALLOC_BASE || allocNext > mem.size()) {
            throw r.refuse(String.format("field 'allocNext' 0x%x lies outside [0x%x, RAM size 0x%x]", allocNext,
                GuestMemory.ALLOC_BASE, mem.size()));
        }
        long[] pages = r.longs("pages");
        long nPages = mem.size() / GuestMemory.PAGE_SIZE;
        for (int i = 0; i < pages.length; i++) {
            if (pages[i] < 0 || pages[i] >= nPages || (i > 0 && pages[i] <= pages[i - 1])) {
                throw r.refuse("field 'pages': entry " + i + " (" + pages[i] + ") is not an ascending page number below "
                    + nPages);
            }
        }
        byte[] data = r.bytes("data");
        if ((long) data.length != (long) pages.length * GuestMemory.PAGE_SIZE) {
            throw r.refuse("field 'data' has " + data.length + " bytes, " + pages.length + " pages need "
                + (long) pages.length * GuestMemory.PAGE_SIZE);
        }
        return () -> mem.restoreContent(pages, data, allocNext);
    }
}
