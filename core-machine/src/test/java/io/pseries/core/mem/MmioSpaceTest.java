package io.pseries.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.TestTraces;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * The decoded-page cache of {@link MmioSpace}: a guest access answers from the region map as
 * it is now, whatever was cached before. One test per way the map changes (a region mapped,
 * unmapped, enabled, disabled), plus the pages the cache must never hold (a page a region covers
 * only in part, an access running off its page) and two pages competing for one slot.
 */
class MmioSpaceTest {
    private static final long PAGE = 1L << MmioSpace.PAGE_SHIFT;
    private static final long BASE = 0x6000_0000_0000L;

    private final Machine m = FakeIntc.machine(1, "dual");
    private final List<TraceEvent> errors = TestTraces.record(m, TraceCategory.GUEST_ERROR);
    private final MmioSpace space = m.mmio();

    /** A handler answering a fixed value per region, so a load tells which region served it. */
    private static MmioHandler answering(long value) {
        return new MmioHandler() {
            @Override
            public long read(VCpu cpu, long offset, int size) {
                return value;
            }

            @Override
            public void write(VCpu cpu, long offset, int size, long v) {
            }
        };
    }

    private final MmioRegion a = new MmioRegion("a", BASE, 4 * PAGE, answering(0xa));
    private final MmioRegion b = new MmioRegion("b", BASE + 4 * PAGE, 4 * PAGE, answering(0xb));

    @Test
    void aLoadFromAWholePageOfARegionIsCachedAndAnsweredFromTheCache() {
        space.map(a);
        assertFalse(space.cached(BASE + PAGE));
        assertEquals(0xa, m.load(0, BASE + PAGE + 8, 8));
        assertTrue(space.cached(BASE + PAGE));
        assertSame(a, space.lookup(BASE + PAGE + 0xff8, 8));
        assertEquals(0xa, m.load(0, BASE + PAGE + 0x10, 4));
        assertTrue(errors.isEmpty());
    }

    @Test
    void mappingARegionDropsTheCacheAndTheNewRegionIsReached() {
        space.map(a);
        m.load(0, BASE, 8);
        assertTrue(space.cached(BASE));
        assertEquals(0xffff_ffffL, m.load(0, b.base(), 4), "unassigned before b is mapped");
        long before = space.invalidations();
        space.map(b);
        assertEquals(before + 1, space.invalidations());
        assertFalse(space.cached(BASE), "mapping drops every cached page");
        assertEquals(0xb, m.load(0, b.base(), 4));
        assertEquals(0xa, m.load(0, BASE, 8));
    }

    @Test
    void unmappingARegionMakesItsCachedPagesUnassigned() {
        space.map(a);
        space.map(b);
        assertEquals(0xa, m.load(0, BASE + 2 * PAGE, 8));
        assertTrue(space.cached(BASE + 2 * PAGE));
        assertTrue(space.unmap(a));
        assertEquals(-1L, m.load(0, BASE + 2 * PAGE, 8));
        assertEquals("load from unassigned address", TestTraces.message(errors.get(0)));
        assertEquals(0xb, m.load(0, b.base(), 8), "the other region stays mapped");
        assertFalse(space.unmap(a), "a region that is not mapped is not unmapped twice");
        space.map(a);
        assertEquals(0xa, m.load(0, BASE + 2 * PAGE, 8), "an unmapped region can be mapped again");
    }

    @Test
    void disablingARegionMakesItsCachedPagesUnassigned() {
        space.map(a);
        assertEquals(0xa, m.load(0, BASE, 8));
        assertTrue(space.cached(BASE));
        a.setEnabled(false);
        assertFalse(space.cached(BASE));
        assertEquals(0xffL, m.load(0, BASE, 1));
        assertEquals(1, errors.size());
        assertNull(space.lookup(BASE, 1));
    }

    @Test
    void enablingARegionMakesItReachableAgain() {
        space.map(a);
        a.setEnabled(false);
        assertEquals(-1L, m.load(0, BASE, 8));
        assertFalse(space.cached(BASE), "a disabled region is never cached");
        a.setEnabled(true);
        assertEquals(0xa, m.load(0, BASE, 8));
        assertTrue(space.cached(BASE));
    }

    @Test
    void settingTheEnabledFlagToWhatItIsKeepsTheCache() {
        space.map(a);
        m.load(0, BASE, 8);
        long before = space.invalidations();
        a.setEnabled(true);
        assertEquals(before, space.invalidations());
        assertTrue(space.cached(BASE));
    }

    @Test
    void aPageARegionCoversOnlyInPartIsNeverCached() {
        MmioRegion small = new MmioRegion("small", BASE + 0x100, 0x100, answering(0x5));
        space.map(small);
        assertEquals(0x5, m.load(0, BASE + 0x100, 8));
        assertFalse(space.cached(BASE + 0x100));
        assertEquals(-1L, m.load(0, BASE + 0x200, 8), "the rest of the page is unassigned");
        assertEquals(-1L, m.load(0, BASE, 8));
        assertEquals(2, errors.size());
    }

    @Test
    void anAccessRunningOffItsCachedPageIsDecodedAfresh() {
        MmioRegion onePage = new MmioRegion("one", BASE, PAGE, answering(0x1));
        space.map(onePage);
        assertEquals(0x1, m.load(0, BASE + PAGE - 8, 8));
        assertTrue(space.cached(BASE + PAGE - 8));
        // 8 bytes from the page's last 4: past the region, so unassigned and not served by the cached page
        assertEquals(-1L, m.load(0, BASE + PAGE - 4, 8));
        assertEquals("load from unassigned address", TestTraces.message(errors.get(0)));
    }

    @Test
    void pagesSharingASlotEvictEachOtherAndBothStillResolve() {
        MmioRegion big = new MmioRegion("big", BASE, 1L << 30, answering(0xb19));
        space.map(big);
        space.lookup(BASE, 8);
        long other = -1;
        for (long p = 1; p < (1 << 18) && other < 0; p++) {
            space.lookup(BASE + p * PAGE, 8);
            if (!space.cached(BASE)) {
                other = BASE + p * PAGE;
            }
        }
        assertTrue(other > 0, "some page shares the first page's slot");
        assertSame(big, space.lookup(BASE, 8));
        assertTrue(space.cached(BASE));
        assertFalse(space.cached(other));
        assertSame(big, space.lookup(other, 8));
    }

    @Test
    void aRegionIsMappedInOneSpaceOnly() {
        space.map(a);
        MmioSpace other = new MmioSpace();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.map(a));
        assertTrue(e.getMessage().contains("already mapped"), e.getMessage());
        assertTrue(other.regions().isEmpty());
        space.unmap(a);
        other.map(a);
        assertSame(a, other.lookup(BASE, 8));
        assertNull(space.lookup(BASE, 8));
    }
}
