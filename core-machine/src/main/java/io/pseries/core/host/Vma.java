package io.pseries.core.host;

/**
 * One virtual memory area of the VMM process: {@code [start, start + size)}, a name, and
 * either anonymous memory or a mapping of a device file from file page {@link #pgoff()}.
 * Device mappings start empty ({@code VM_IO | VM_PFNMAP}: nothing is populated at mmap time);
 * each page is inserted by the file's fault handler on first touch and removed again by a zap.
 *
 * <p>Inserted pages are kept in chunks of 1024 allocated on first use, so a 2^21-page window
 * costs memory in proportion to the pages touched.
 *
 * <p>Threading: the machine's thread only.
 */
public final class Vma {
    private static final int CHUNK_SHIFT = 10;
    private static final int CHUNK = 1 << CHUNK_SHIFT;

    private final String name;
    private final long start;
    private final long pages;
    private final int pageShift;
    private final long pgoff;
    private final int fd;
    private final KvmDevice file;
    /** Per page: host physical address + 1 of the inserted page, 0 when not present. */
    private final long[][] chunks;
    private long mapped;

    Vma(String name, long start, long pages, int pageShift, long pgoff, int fd, KvmDevice file) {
        this.name = name;
        this.start = start;
        this.pages = pages;
        this.pageShift = pageShift;
        this.pgoff = pgoff;
        this.fd = fd;
        this.file = file;
        this.chunks = new long[(int) ((pages + CHUNK - 1) >>> CHUNK_SHIFT)][];
    }

    public String name() {
        return name;
    }

    public long start() {
        return start;
    }

    /** Size in bytes. */
    public long size() {
        return pages << pageShift;
    }

    public long pages() {
        return pages;
    }

    public long end() {
        return start + size();
    }

    /** First file page mapped (0 for anonymous memory). */
    public long pgoff() {
        return pgoff;
    }

    /** The device file's descriptor at mmap time, or -1 for anonymous memory. */
    public int fd() {
        return fd;
    }

    /** The device whose file is mapped, or {@code null}. */
    public KvmDevice file() {
        return file;
    }

    /** Pages currently inserted (for anonymous memory: all of them). */
    public long pagesMapped() {
        return file == null ? pages : mapped;
    }

    public boolean contains(long hva) {
        return Long.compareUnsigned(hva - start, size()) < 0;
    }

    /** Whether page {@code i} of the VMA is present. */
    public boolean present(long i) {
        long[] c = chunks[(int) (i >>> CHUNK_SHIFT)];
        return c != null && c[(int) (i & (CHUNK - 1))] != 0;
    }

    /** The indices of the pages present, ascending. */
    public long[] presentPages() {
        long[] out = new long[(int) pagesMapped()];
        int k = 0;
        for (int ci = 0; ci < chunks.length && k < out.length; ci++) {
            long[] c = chunks[ci];
            if (c == null) {
                continue;
            }
            for (int j = 0; j < CHUNK && k < out.length; j++) {
                if (c[j] != 0) {
                    out[k++] = ((long) ci << CHUNK_SHIFT) + j;
                }
            }
        }
        return k == out.length ? out : java.util.Arrays.copyOf(out, k);
    }

    /** The host physical address inserted at page {@code i}, or -1. */
    public long physAddr(long i) {
        long[] c = chunks[(int) (i >>> CHUNK_SHIFT)];
        long v = c == null ? 0 : c[(int) (i & (CHUNK - 1))];
        return v == 0 ? -1 : v - 1;
    }

    void insert(long i, long phys) {
        int ci = (int) (i >>> CHUNK_SHIFT);
        long[] c = chunks[ci];
        if (c == null) {
            c = chunks[ci] = new long[CHUNK];
        }
        int j = (int) (i & (CHUNK - 1));
        if (c[j] == 0) {
            mapped++;
        }
        c[j] = phys + 1;
    }

    /** Removes the pages of file range [{@code fromPgoff}, {@code toPgoff}) that this VMA maps; returns how many were present. */
    long zapFileRange(long fromPgoff, long toPgoff) {
        long a = Math.max(fromPgoff, pgoff) - pgoff;
        long b = Math.min(toPgoff, pgoff + pages) - pgoff;
        long n = 0;
        for (long i = a; i < b; i++) {
            long[] c = chunks[(int) (i >>> CHUNK_SHIFT)];
            if (c == null) {
                i |= CHUNK - 1;
                continue;
            }
            int j = (int) (i & (CHUNK - 1));
            if (c[j] != 0) {
                c[j] = 0;
                n++;
            }
        }
        mapped -= n;
        return n;
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x, 0x%x) pgoff %d, %d/%d pages", name, start, end(), pgoff, pagesMapped(), pages);
    }
}
