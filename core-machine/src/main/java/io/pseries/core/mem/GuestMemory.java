package io.pseries.core.mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Guest RAM: a sparse, big-endian byte space of {@link #size()} bytes starting at guest
 * physical address 0.
 *
 * <p>RAM is kept in 64 KiB pages that are allocated on first write; reading an untouched page
 * returns zeros. A two-level directory keeps the index small for large memories. Accesses may
 * be unaligned and may cross pages. Addresses outside RAM throw {@link IndexOutOfBoundsException}
 * ({@link #contains(long, int)} tells beforehand).
 *
 * <p>{@link #alloc(long, long)} is a simple bump allocator the guest model and scripts use to
 * find free guest memory (queues, buffers); it is deterministic.
 *
 * <p>Threading: single-threaded.
 */
public final class GuestMemory {
    public static final int PAGE_SHIFT = 16;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int L2_SHIFT = 10;
    private static final int L2_SIZE = 1 << L2_SHIFT;

    private static final VarHandle BE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** First address handed out by {@link #alloc}: below it lies the guest kernel image. */
    public static final long ALLOC_BASE = 0x0300_0000L;

    private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];

    private final long size;
    private final byte[][][] dir;
    private long allocNext = ALLOC_BASE;
    private long pagesAllocated;

    public GuestMemory(long size) {
        if (size <= 0 || (size & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("memory size must be a positive multiple of 64 KiB, got " + size);
        }
        this.size = size;
        long pages = size >>> PAGE_SHIFT;
        dir = new byte[(int) ((pages + L2_SIZE - 1) >>> L2_SHIFT)][][];
    }

    public long size() {
        return size;
    }

    /** Whether {@code [addr, addr+len)} lies inside RAM. */
    public boolean contains(long addr, int len) {
        return addr >= 0 && len >= 0 && addr <= size - len;
    }

    /** Bytes of host memory backing guest RAM (allocated pages only). */
    public long residentBytes() {
        return pagesAllocated * PAGE_SIZE;
    }

    private byte[] pageForRead(long addr) {
        long p = addr >>> PAGE_SHIFT;
        byte[][] l2 = dir[(int) (p >>> L2_SHIFT)];
        return l2 == null ? null : l2[(int) (p & (L2_SIZE - 1))];
    }

    /**
     * The backing array of the RAM page holding {@code addr} (allocated if needed), for
     * components that write many entries into one page (an event queue). Index it with
     * {@code addr & (PAGE_SIZE - 1)}; pages are never freed, so a reference stays valid.
     */
    public byte[] page(long addr) {
        check(addr, 1);
        return pageForWrite(addr);
    }

    /** Big-endian 32-bit store into a page obtained from {@link #page(long)}. */
    public static void putInt(byte[] page, int offset, int v) {
        BE32.set(page, offset, v);
    }

    private byte[] pageForWrite(long addr) {
        long p = addr >>> PAGE_SHIFT;
        int i1 = (int) (p >>> L2_SHIFT);
        byte[][] l2 = dir[i1];
        if (l2 == null) {
            l2 = dir[i1] = new byte[L2_SIZE][];
        }
        int i2 = (int) (p & (L2_SIZE - 1));
        byte[] page = l2[i2];
        if (page == null) {
            page = l2[i2] = new byte[PAGE_SIZE];
            pagesAllocated++;
        }
        return page;
    }

    private void check(long addr, int len) {
        if (!contains(addr, len)) {
            throw new IndexOutOfBoundsException(String.format(
                "guest physical address 0x%x (+%d) is outside RAM [0, 0x%x)", addr, len, size));
        }
    }

    private static boolean inOnePage(long addr, int len) {
        return ((addr & (PAGE_SIZE - 1)) + len) <= PAGE_SIZE;
    }

    public int read8(long addr) {
        check(addr, 1);
        byte[] p = pageForRead(addr);
        return p == null ? 0 : p[(int) (addr & (PAGE_SIZE - 1))] & 0xff;
    }

    public int read16(long addr) {
        check(addr, 2);
        if (inOnePage(addr, 2)) {
            byte[] p = pageForRead(addr);
            return p == null ? 0 : (short) BE16.get(p, (int) (addr & (PAGE_SIZE - 1))) & 0xffff;
        }
        return (int) slowRead(addr, 2);
    }

    public int read32(long addr) {
        check(addr, 4);
        if (inOnePage(addr, 4)) {
            byte[] p = pageForRead(addr);
            return p == null ? 0 : (int) BE32.get(p, (int) (addr & (PAGE_SIZE - 1)));
        }
        return (int) slowRead(addr, 4);
    }

    public long read64(long addr) {
        check(addr, 8);
        if (inOnePage(addr, 8)) {
            byte[] p = pageForRead(addr);
            return p == null ? 0 : (long) BE64.get(p, (int) (addr & (PAGE_SIZE - 1)));
        }
        return slowRead(addr, 8);
    }

    /** Big-endian read of 1, 2, 4 or 8 bytes, zero-extended. */
    public long read(long addr, int size) {
        return switch (size) {
            case 1 -> read8(addr);
            case 2 -> read16(addr);
            case 4 -> read32(addr) & 0xffff_ffffL;
            case 8 -> read64(addr);
            default -> throw new IllegalArgumentException("access size must be 1, 2, 4 or 8, got " + size);
        };
    }

    public void write8(long addr, int v) {
        check(addr, 1);
        pageForWrite(addr)[(int) (addr & (PAGE_SIZE - 1))] = (byte) v;
    }

    public void write16(long addr, int v) {
        check(addr, 2);
        if (inOnePage(addr, 2)) {
            BE16.set(pageForWrite(addr), (int) (addr & (PAGE_SIZE - 1)), (short) v);
        } else {
            slowWrite(addr, 2, v);
        }
    }

    public void write32(long addr, int v) {
        check(addr, 4);
        if (inOnePage(addr, 4)) {
            BE32.set(pageForWrite(addr), (int) (addr & (PAGE_SIZE - 1)), v);
        } else {
            slowWrite(addr, 4, v);
        }
    }

    public void write64(long addr, long v) {
        check(addr, 8);
        if (inOnePage(addr, 8)) {
            BE64.set(pageForWrite(addr), (int) (addr & (PAGE_SIZE - 1)), v);
        } else {
            slowWrite(addr, 8, v);
        }
    }

    /** Big-endian write of the low {@code size} bytes of {@code v}. */
    public void write(long addr, int size, long v) {
        switch (size) {
            case 1 -> write8(addr, (int) v);
            case 2 -> write16(addr, (int) v);
            case 4 -> write32(addr, (int) v);
            case 8 -> write64(addr, v);
            default -> throw new IllegalArgumentException("access size must be 1, 2, 4 or 8, got " + size);
        }
    }

    /** Copies {@code len} bytes out of guest RAM. */
    public byte[] readBytes(long addr, int len) {
        check(addr, len);
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            byte[] p = pageForRead(addr + i);
            out[i] = p == null ? 0 : p[(int) ((addr + i) & (PAGE_SIZE - 1))];
        }
        return out;
    }

    /** Copies bytes into guest RAM. */
    public void writeBytes(long addr, byte[] data) {
        check(addr, data.length);
        for (int i = 0; i < data.length; i++) {
            pageForWrite(addr + i)[(int) ((addr + i) & (PAGE_SIZE - 1))] = data[i];
        }
    }

    /** Zeroes {@code len} bytes (pages never written stay unallocated). */
    public void zero(long addr, long len) {
        check(addr, (int) Math.min(len, Integer.MAX_VALUE));
        for (long a = addr; a < addr + len; ) {
            long pageEnd = (a | (PAGE_SIZE - 1)) + 1;
            long end = Math.min(pageEnd, addr + len);
            byte[] p = pageForRead(a);
            if (p != null) {
                Arrays.fill(p, (int) (a & (PAGE_SIZE - 1)), (int) (a & (PAGE_SIZE - 1)) + (int) (end - a), (byte) 0);
            }
            a = end;
        }
    }

    private long slowRead(long addr, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) {
            byte[] p = pageForRead(addr + i);
            v = (v << 8) | (p == null ? 0 : p[(int) ((addr + i) & (PAGE_SIZE - 1))] & 0xff);
        }
        return v;
    }

    private void slowWrite(long addr, int len, long v) {
        for (int i = 0; i < len; i++) {
            pageForWrite(addr + i)[(int) ((addr + i) & (PAGE_SIZE - 1))] = (byte) (v >>> (8 * (len - 1 - i)));
        }
    }

    /**
     * Reserves {@code size} bytes aligned to {@code align} (a power of two) and returns the
     * guest physical address. The range is zeroed.
     */
    public long alloc(long size, long align) {
        if (size <= 0) {
            throw new IllegalArgumentException("alloc size must be > 0, got " + size);
        }
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("alloc alignment must be a power of two, got " + align);
        }
        long a = (allocNext + align - 1) & -align;
        if (a + size > this.size || a + size < a) {
            throw new IllegalStateException(String.format(
                "guest memory exhausted: cannot allocate 0x%x bytes aligned to 0x%x (RAM size 0x%x, next free 0x%x)",
                size, align, this.size, allocNext));
        }
        allocNext = a + size;
        zero(a, size);
        return a;
    }

    /**
     * Forgets every allocation (machine reset). RAM content survives a reset, as on QEMU;
     * the next boot's allocations are zeroed when handed out.
     */
    public void resetAllocator() {
        allocNext = ALLOC_BASE;
    }

    // ------------------------------------------------------------------ snapshot

    /** The allocator's next free address (snapshot state). */
    public long allocNext() {
        return allocNext;
    }

    /** Page numbers of the allocated pages holding a non-zero byte, ascending (what a snapshot keeps). */
    public long[] nonZeroPages() {
        long[] out = new long[16];
        int n = 0;
        for (int i1 = 0; i1 < dir.length; i1++) {
            byte[][] l2 = dir[i1];
            if (l2 == null) {
                continue;
            }
            for (int i2 = 0; i2 < L2_SIZE; i2++) {
                byte[] p = l2[i2];
                if (p != null && java.util.Arrays.mismatch(p, ZERO_PAGE) >= 0) {
                    if (n == out.length) {
                        out = java.util.Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = ((long) i1 << L2_SHIFT) | i2;
                }
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Copies page {@code pageNo} (allocated) into {@code dst} at {@code off}. */
    public void copyPage(long pageNo, byte[] dst, int off) {
        System.arraycopy(dir[(int) (pageNo >>> L2_SHIFT)][(int) (pageNo & (L2_SIZE - 1))], 0, dst, off, PAGE_SIZE);
    }

    /**
     * Installs snapshot content: every page not listed reads as zero, listed pages take
     * {@code data} (PAGE_SIZE bytes each, in order). Page arrays are reused, never replaced, so
     * references from {@link #page(long)} stay valid. The caller validated the arguments.
     */
    public void restoreContent(long[] pages, byte[] data, long allocNextValue) {
        for (byte[][] l2 : dir) {
            if (l2 != null) {
                for (byte[] p : l2) {
                    if (p != null) {
                        java.util.Arrays.fill(p, (byte) 0);
                    }
                }
            }
        }
        for (int i = 0; i < pages.length; i++) {
            System.arraycopy(data, i * PAGE_SIZE, pageForWrite(pages[i] << PAGE_SHIFT), 0, PAGE_SIZE);
        }
        allocNext = allocNextValue;
    }
}
