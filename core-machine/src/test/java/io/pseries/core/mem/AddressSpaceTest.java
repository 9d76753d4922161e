package io.pseries.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.TestTraces;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * Guest-physical loads and stores ({@link AddressSpace}): RAM is big-endian and serves
 * unaligned accesses; MMIO regions get their offset and a size-masked value; unassigned,
 * misaligned and disabled-region accesses read all-ones or are ignored, with a guest error;
 * bad sizes are script errors; MMIO is traced.
 */
class AddressSpaceTest {

    private static List<TraceEvent> record(Machine m, TraceCategory c) {
        return TestTraces.record(m, c);
    }

    private static String message(TraceEvent e) {
        return TestTraces.message(e);
    }

    private final Machine m = FakeIntc.machine(1, "dual");
    private final List<TraceEvent> errors = record(m, TraceCategory.GUEST_ERROR);

    @Test
    void storesAndLoadsOfRamAreBigEndian() {
        m.store(0, 0x1000, 8, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, m.load(0, 0x1000, 8));
        assertEquals(0x01020304L, m.load(0, 0x1000, 4));
        assertEquals(0x0506L, m.load(0, 0x1004, 2));
        assertEquals(0x08L, m.load(0, 0x1007, 1));
        m.store(0, 0x2002, 2, 0xabcd);
        assertEquals(0xabcd, m.memory().read16(0x2002));
        assertTrue(errors.isEmpty());
    }

    @Test
    void ramLoadsAreZeroExtended() {
        m.store(0, 0x3000, 8, -1L);
        assertEquals(0xffL, m.load(0, 0x3000, 1));
        assertEquals(0xffff_ffffL, m.load(0, 0x3000, 4));
    }

    @Test
    void unalignedRamAccessIsFine() {
        m.store(0, 0xfffd, 4, 0x11223344);
        assertEquals(0x11223344L, m.load(0, 0xfffd, 4));
        assertTrue(errors.isEmpty());
    }

    @Test
    void loadFromUnassignedAddressReturnsAllOnesOfTheAccessSize() {
        long a = 0x7000_0000_0000L;
        assertEquals(0xffL, m.load(0, a, 1));
        assertEquals(0xffffL, m.load(0, a, 2));
        assertEquals(0xffff_ffffL, m.load(0, a, 4));
        assertEquals(-1L, m.load(0, a, 8));
        assertEquals(4, errors.size());
        TraceEvent e = errors.get(3);
        assertEquals("load from unassigned address", message(e));
        assertEquals(a, e.fields().get("addr"));
        assertEquals(8, e.fields().get("size"));
    }

    @Test
    void loadJustPastRamIsUnassigned() {
        assertEquals(0xffff_ffffL, m.load(0, m.memory().size(), 4));
        assertEquals(1, errors.size());
    }

    @Test
    void storeToUnassignedAddressIsIgnoredAndReported() {
        m.store(0, 0x7000_0000_0000L, 4, 0x1234);
        assertEquals(1, errors.size());
        assertEquals("store to unassigned address", message(errors.get(0)));
        assertEquals(0x1234L, errors.get(0).fields().get("value"));
        assertEquals(0, m.memory().residentBytes());
    }

    @Test
    void invalidAccessSizeThrows() {
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class, () -> m.load(0, 0x1000, 3));
        assertEquals("access size must be 1, 2, 4 or 8 bytes, got 3", l.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> m.store(0, 0x1000, 16, 0));
        assertEquals("access size must be 1, 2, 4 or 8 bytes, got 16", s.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.load(0, 0x1000, 0));
        assertTrue(errors.isEmpty(), "script misuse is an exception, not a guest error");
    }

    /** A device window that records accesses and answers a fixed pattern. */
    private final List<String> accesses = new ArrayList<>();
    private final MmioRegion region = new MmioRegion("dev", 0x6000_0000_0000L, 0x1000, new MmioHandler() {
        @Override
        public long read(VCpu cpu, long offset, int size) {
            accesses.add("r " + cpu.index() + " 0x" + Long.toHexString(offset) + " " + size);
            return 0x1122334455667788L;
        }

        @Override
        public void write(VCpu cpu, long offset, int size, long value) {
            accesses.add("w " + cpu.index() + " 0x" + Long.toHexString(offset) + " " + size + " 0x" + Long.toHexString(value));
        }
    });

    @Test
    void mmioAccessesReachTheRegionWithTheirOffsetAndAreMaskedToTheSize() {
        m.mmio().map(region);
        assertEquals(0x55667788L, m.load(0, region.base() + 0x10, 4));
        assertEquals(0x1122334455667788L, m.load(0, region.base() + 0x18, 8));
        m.store(0, region.base() + 0x22, 2, 0x12345);
        assertEquals(List.of("r 0 0x10 4", "r 0 0x18 8", "w 0 0x22 2 0x2345"), accesses);
        assertTrue(errors.isEmpty());
    }

    @Test
    void misalignedMmioIsAGuestError() {
        m.mmio().map(region);
        assertEquals(0xffff_ffffL, m.load(0, region.base() + 2, 4));
        m.store(0, region.base() + 1, 8, 5);
        assertTrue(accesses.isEmpty());
        assertEquals("misaligned MMIO load", message(errors.get(0)));
        assertEquals("misaligned MMIO store", message(errors.get(1)));
        assertEquals("dev", errors.get(0).fields().get("region"));
    }

    @Test
    void mmioAccessRunningPastTheRegionIsUnassigned() {
        m.mmio().map(region);
        assertEquals(-1L, m.load(0, region.base() + 0xffc, 8));
        assertEquals("load from unassigned address", message(errors.get(0)));
        assertTrue(accesses.isEmpty());
    }

    @Test
    void aDisabledRegionBehavesAsUnmapped() {
        m.mmio().map(region);
        region.setEnabled(false);
        assertEquals(0xffL, m.load(0, region.base(), 1));
        assertTrue(accesses.isEmpty());
        assertEquals("load from unassigned address", message(errors.get(0)));
        region.setEnabled(true);
        m.load(0, region.base(), 1);
        assertEquals(1, accesses.size());
    }

    @Test
    void overlappingRegionsAreRefused() {
        m.mmio().map(region);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> m.mmio().map(new MmioRegion("other", region.base() + 0xff8, 0x100, region.handler())));
        assertTrue(e.getMessage().contains("overlaps dev"), e.getMessage());
    }

    @Test
    void mmioAccessesAreTracedWhenSubscribed() {
        m.mmio().map(region);
        List<TraceEvent> mmio = record(m, TraceCategory.MMIO);
        m.load(0, region.base() + 8, 4);
        assertEquals(1, mmio.size());
        assertEquals("load", mmio.get(0).name());
        assertEquals(8L, mmio.get(0).fields().get("offset"));
        assertEquals(0x55667788L, mmio.get(0).fields().get("value"));
    }
}
