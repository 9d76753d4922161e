package io.pseries.core.mem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GuestMemoryTest {

    private static final long MIB = 1L << 20;
    private static final int PAGE = GuestMemory.PAGE_SIZE;

    private final GuestMemory mem = new GuestMemory(64 * MIB);

    @Test
    void pagesAre64KiB() {
        assertEquals(0x10000, GuestMemory.PAGE_SIZE);
        assertEquals(16, GuestMemory.PAGE_SHIFT);
    }

    @Test
    void write32IsBigEndianInMemory() {
        mem.write32(0x100, 0x11223344);
        assertEquals(0x11, mem.read8(0x100));
        assertEquals(0x22, mem.read8(0x101));
        assertEquals(0x33, mem.read8(0x102));
        assertEquals(0x44, mem.read8(0x103));
        assertEquals(0x1122, mem.read16(0x100));
        assertEquals(0x3344, mem.read16(0x102));
    }

    @Test
    void write64IsBigEndianAndReadsBackWhole() {
        mem.write64(0x200, 0x0102030405060708L);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, mem.readBytes(0x200, 8));
        assertEquals(0x0102030405060708L, mem.read64(0x200));
        assertEquals(0x01020304, mem.read32(0x200));
        assertEquals(0x05060708, mem.read32(0x204));
    }

    @Test
    void write16AndWrite8StoreOnlyTheirBytes() {
        mem.write64(0x300, -1L);
        mem.write16(0x302, 0xabcd);
        mem.write8(0x305, 0x5a);
        assertEquals(0xffffabcdff5affffL, mem.read64(0x300));
    }

    @Test
    void narrowWritesKeepOnlyTheLowBytesOfTheValue() {
        mem.write8(0x10, 0x1234);
        mem.write16(0x20, 0x12345678);
        mem.write(0x30, 4, 0x1122334455667788L);
        assertEquals(0x34, mem.read8(0x10));
        assertEquals(0x5678, mem.read16(0x20));
        assertEquals(0x55667788, mem.read32(0x30));
        assertEquals(0, mem.read32(0x34), "a 4-byte write must not spill");
    }

    @Test
    void readsAreZeroExtended() {
        mem.write64(0x400, -1L);
        assertEquals(0xff, mem.read8(0x400));
        assertEquals(0xffff, mem.read16(0x400));
        assertEquals(0xffL, mem.read(0x400, 1));
        assertEquals(0xffffL, mem.read(0x400, 2));
        assertEquals(0xffff_ffffL, mem.read(0x400, 4));
        assertEquals(-1L, mem.read(0x400, 8));
        assertEquals(-1, mem.read32(0x400), "read32 returns the raw 32-bit word");
    }

    @Test
    void genericReadWriteMatchTheSizedAccessors() {
        for (int size : new int[] {1, 2, 4, 8}) {
            long addr = 0x1000L * size;
            long v = size == 8 ? 0x8877665544332211L : 0x8877665544332211L & ((1L << (8 * size)) - 1);
            mem.write(addr, size, v);
            assertEquals(v, mem.read(addr, size), "size " + size);
        }
        assertEquals(0x11, mem.read8(0x1000));
        assertEquals(0x2211, mem.read16(0x2000));
        assertEquals(0x44332211, mem.read32(0x4000));
        assertEquals(0x8877665544332211L, mem.read64(0x8000));
    }

    @Test
    void genericAccessRejectsOtherSizes() {
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> mem.read(0, 3));
        assertEquals("access size must be 1, 2, 4 or 8, got 3", r.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class, () -> mem.write(0, 16, 0));
        assertTrue(w.getMessage().contains("got 16"), w.getMessage());
    }

    @Test
    void unalignedAccessesWithinAPage() {
        mem.write32(0x501, 0xdeadbeef);
        mem.write64(0x603, 0x0123456789abcdefL);
        mem.write16(0x707, 0xcafe);
        assertEquals(0xdeadbeef, mem.read32(0x501));
        assertEquals(0xad, mem.read8(0x502));
        assertEquals(0xadbe, mem.read16(0x502));
        assertEquals(0x0123456789abcdefL, mem.read64(0x603));
        assertEquals(0x456789ab, mem.read32(0x605));
        assertEquals(0xcafe, mem.read16(0x707));
        assertEquals(0, mem.read8(0x500));
        assertEquals(0, mem.read8(0x505));
    }

    @Test
    void accessesCrossingA64KiBPageBoundary() {
        long a = PAGE - 3;
        mem.write64(a, 0x1122334455667788L);
        assertEquals(2 * PAGE, mem.residentBytes(), "an 8-byte store across the boundary touches both pages");
        assertEquals(0x1122334455667788L, mem.read64(a));
        assertEquals(0x33, mem.read8(PAGE - 1));
        assertEquals(0x44, mem.read8(PAGE));
        assertEquals(0x33445566, mem.read32(PAGE - 1));
        assertEquals(0x3344, mem.read16(PAGE - 1));

        mem.write32(2L * PAGE - 2, 0xa1b2c3d4);
        assertEquals(0xa1b2c3d4, mem.read32(2L * PAGE - 2));
        assertEquals(0xc3d4, mem.read16(2L * PAGE));
        mem.write16(3L * PAGE - 1, 0xbeef);
        assertEquals(0xbeef, mem.read16(3L * PAGE - 1));
        assertEquals(0xef, mem.read8(3L * PAGE));
    }

    @Test
    void crossingReadIntoAnUntouchedPageReadsZerosWithoutAllocatingIt() {
        mem.write8(PAGE - 2, 0xaa);
        mem.write8(PAGE - 1, 0xbb);
        assertEquals(PAGE, mem.residentBytes());
        assertEquals(0xaabb0000, mem.read32(PAGE - 2));
        assertEquals(0xaabb000000000000L, mem.read64(PAGE - 2));
        assertEquals(PAGE, mem.residentBytes(), "reading must not allocate the second page");
    }

    @Test
    void readBytesAndWriteBytesCrossPages() {
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        long a = 5L * PAGE - 100;
        mem.writeBytes(a, data);
        assertArrayEquals(data, mem.readBytes(a, data.length));
        assertEquals(data[100] & 0xff, mem.read8(5L * PAGE));
    }

    @Test
    void untouchedMemoryReadsZeroAndStaysUnallocated() {
        for (long a = 0; a < mem.size(); a += 3 * MIB + 5) {
            assertEquals(0, mem.read8(a));
            assertEquals(0, mem.read64(Math.min(a, mem.size() - 8)));
        }
        assertEquals(0, mem.read32(PAGE - 2), "page-crossing read of untouched pages");
        assertArrayEquals(new byte[2 * PAGE], mem.readBytes(PAGE, 2 * PAGE));
        assertEquals(0, mem.residentBytes());
    }

    @Test
    void residentBytesCountsWrittenPagesOnce() {
        mem.write8(0, 1);
        mem.write8(1, 2);
        mem.write64(PAGE - 8, 3);
        assertEquals(PAGE, mem.residentBytes());
        mem.write8(40 * MIB, 1);
        assertEquals(2L * PAGE, mem.residentBytes());
    }

    @Test
    void zeroClearsWrittenBytesAndDoesNotAllocate() {
        mem.write64(PAGE - 4, -1L);
        mem.zero(PAGE - 2, 4L * PAGE);
        assertEquals(0xffff0000, mem.read32(PAGE - 4));
        assertEquals(0, mem.read32(PAGE));
        assertEquals(2L * PAGE, mem.residentBytes(), "zeroing untouched pages must not allocate them");
    }

    @Test
    void containsTellsWhetherARangeFits() {
        assertTrue(mem.contains(0, 8));
        assertTrue(mem.contains(mem.size() - 8, 8));
        assertFalse(mem.contains(mem.size() - 7, 8));
        assertFalse(mem.contains(mem.size(), 1));
        assertFalse(mem.contains(-1, 1));
        assertTrue(mem.contains(mem.size(), 0));
    }

    @Test
    void outOfRangeReadThrowsNamingTheAddress() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> mem.read8(0x4000000));
        assertTrue(e.getMessage().contains("0x4000000"), e.getMessage());
        assertTrue(e.getMessage().contains("outside RAM"), e.getMessage());
    }

    @Test
    void readRunningPastTheEndThrowsNamingTheAddress() {
        long a = mem.size() - 4;
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> mem.read64(a));
        assertTrue(e.getMessage().contains("0x3fffffc"), e.getMessage());
        assertTrue(e.getMessage().contains("+8"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> mem.readBytes(a, 5));
    }

    @Test
    void negativeAddressThrows() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> mem.read32(-4));
        assertTrue(e.getMessage().contains("0xfffffffffffffffc"), e.getMessage());
    }

    @Test
    void outOfRangeWriteThrowsAndAllocatesNothing() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
            () -> mem.write32(mem.size() - 2, 1));
        assertTrue(e.getMessage().contains("0x3fffffe"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> mem.write16(mem.size(), 1));
        assertThrows(IndexOutOfBoundsException.class, () -> mem.write64(mem.size() - 1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> mem.writeBytes(mem.size() - 1, new byte[2]));
        assertEquals(0, mem.residentBytes());
        assertEquals(0, mem.read8(mem.size() - 1), "the partially in-range bytes were not written");
    }

    @Test
    void sizeMustBeAPositiveMultipleOf64KiB() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GuestMemory(PAGE + 1));
        assertTrue(e.getMessage().contains("multiple of 64 KiB"), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(PAGE + 1)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(0));
    }

    @Test
    void aOneTiBMemoryCostsOnlyWhatIsWritten() {
        GuestMemory big = new GuestMemory(1L << 40);
        big.write64((1L << 40) - 8, 0x55);
        assertEquals(0x55, big.read64((1L << 40) - 8));
        assertEquals(PAGE, big.residentBytes());
    }

    @Test
    void allocStartsAboveTheKernelImageAndAligns() {
        long a = mem.alloc(100, 1);
        assertEquals(GuestMemory.ALLOC_BASE, a);
        long b = mem.alloc(0x40, 0x1000);
        assertEquals(GuestMemory.ALLOC_BASE + 0x1000, b);
        long c = mem.alloc(1, 1);
        assertEquals(b + 0x40, c);
        long d = mem.alloc(0x10000, 0x10000);
        assertEquals(0, d & 0xffff);
        assertTrue(d > c);
    }

    @Test
    void allocZeroesWhatItHandsOut() {
        long next = GuestMemory.ALLOC_BASE;
        mem.write64(next + 8, -1L);
        mem.write8(next + PAGE + 3, 0x77);
        long a = mem.alloc(2L * PAGE, PAGE);
        assertEquals(next, a);
        assertEquals(0, mem.read64(a + 8));
        assertEquals(0, mem.read8(a + PAGE + 3));
    }

    @Test
    void allocRejectsBadSizeAndAlignment() {
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> mem.alloc(0, 8));
        assertEquals("alloc size must be > 0, got 0", s.getMessage());
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> mem.alloc(8, 24));
        assertEquals("alloc alignment must be a power of two, got 24", a.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mem.alloc(8, 0));
    }

    @Test
    void allocExhaustionSaysWhatWasAskedAndWhatIsLeft() {
        mem.alloc(0x800000, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> mem.alloc(0x1000000, 0x1000));
        assertEquals("guest memory exhausted: cannot allocate 0x1000000 bytes aligned to 0x1000"
            + " (RAM size 0x4000000, next free 0x3800000)", e.getMessage());
        // the failed request consumed nothing: the rest still fits exactly
        assertEquals(0x3800000, mem.alloc(0x800000, 1));
    }

    @Test
    void resetAllocatorHandsOutTheSameAddressesAgain() {
        long a = mem.alloc(0x100, 0x100);
        mem.write32(a, 0x12345678);
        mem.resetAllocator();
        assertEquals(0x12345678, mem.read32(a), "RAM content survives an allocator reset");
        assertEquals(a, mem.alloc(0x100, 0x100));
        assertEquals(0, mem.read32(a), "handed out again, zeroed");
    }
}
