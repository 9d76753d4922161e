package io.pseries.core.mem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The device part of the guest physical address space: a short list of non-overlapping
 * {@link MmioRegion}s, and a decoded-page cache in front of it for the guest's loads and stores.
 *
 * <pre>
 *  lookup(addr, size) ──► access inside one 4 KiB page whose cache slot holds that page? ──► its region
 *                         else: scan the enabled regions (find), check the access fits the region,
 *                               remember the page when the region covers all of it
 *  map / unmap / a mapped region enabled or disabled ──► the whole cache is dropped
 * </pre>
 *
 * <p>The cache is direct-mapped: one slot per hashed page number, holding the page number and
 * the enabled region that covers the whole page (a page a region covers only in part is never
 * cached, so a hit cannot hide an unassigned hole or a neighbouring region). Any change of the
 * region map drops every slot, so a lookup never answers from a map that no longer holds:
 * the region map changes at CAS, reset and device set-up, never per access.
 *
 * <p>Threading: confined to the machine's thread.
 */
public final class MmioSpace {
    /** The cache's page size: 4 KiB, the smallest page a region is mapped with (ESB 4K pages). */
    public static final int PAGE_SHIFT = 12;
    private static final int SLOTS_LOG2 = 9;
    private static final long NO_PAGE = -1L;

    private MmioRegion[] regions = new MmioRegion[0];
    /** Per cache slot: the page number cached there, or NO_PAGE (no real page number is all ones). */
    private final long[] slotPage = new long[1 << SLOTS_LOG2];
    private final MmioRegion[] slotRegion = new MmioRegion[1 << SLOTS_LOG2];
    private long invalidations;

    public MmioSpace() {
        Arrays.fill(slotPage, NO_PAGE);
    }

    /** Maps a region; it must not overlap one already mapped, nor be mapped in another space. */
    public void map(MmioRegion r) {
        for (MmioRegion o : regions) {
            if (Long.compareUnsigned(r.base(), o.base() + o.size()) < 0
                && Long.compareUnsigned(o.base(), r.base() + r.size()) < 0) {
                throw new IllegalArgumentException("MMIO region " + r + " overlaps " + o);
            }
        }
        r.attach(this);
        List<MmioRegion> l = new ArrayList<>(List.of(regions));
        l.add(r);
        regions = l.toArray(new MmioRegion[0]);
        invalidate();
    }

    /** Removes a mapped region (QEMU's memory_region_del_subregion); false if it is not mapped here. */
    public boolean unmap(MmioRegion r) {
        List<MmioRegion> l = new ArrayList<>(List.of(regions));
        if (!l.remove(r)) {
            return false;
        }
        regions = l.toArray(new MmioRegion[0]);
        r.detach(this);
        invalidate();
        return true;
    }

    /** The enabled region covering {@code addr}, or {@code null}. Scans the regions (not for the access path). */
    public MmioRegion find(long addr) {
        for (MmioRegion r : regions) {
            if (r.enabled() && Long.compareUnsigned(addr - r.base(), r.size()) < 0) {
                return r;
            }
        }
        return null;
    }

    /**
     * The enabled region covering every byte of the access {@code [addr, addr + size)}, or null
     * (unassigned). A hit in the decoded-page cache costs one hash, one compare and two loads.
     */
    public MmioRegion lookup(long addr, int size) {
        long page = addr >>> PAGE_SHIFT;
        int slot = slot(page);
        if (slotPage[slot] == page && (addr + size - 1) >>> PAGE_SHIFT == page) {
            return slotRegion[slot];
        }
        return lookupAndRemember(addr, size, page, slot);
    }

    private MmioRegion lookupAndRemember(long addr, int size, long page, int slot) {
        MmioRegion r = find(addr);
        if (r == null || !r.covers(addr + size - 1)) {
            return null;
        }
        long first = page << PAGE_SHIFT;
        if (r.covers(first) && r.covers(first + (1L << PAGE_SHIFT) - 1)) {
            slotPage[slot] = page;
            slotRegion[slot] = r;
        }
        return r;
    }

    /** The cache slot of a page number (Fibonacci hashing: neighbouring and strided pages spread). */
    private static int slot(long page) {
        return (int) ((page * 0x9E37_79B9_7F4A_7C15L) >>> (64 - SLOTS_LOG2));
    }

    /** Drops every cached page: called on any change of the region map. */
    void invalidate() {
        Arrays.fill(slotPage, NO_PAGE);
        Arrays.fill(slotRegion, null);
        invalidations++;
    }

    /** How many times the cache was dropped (a region mapped, unmapped, enabled or disabled). */
    public long invalidations() {
        return invalidations;
    }

    /** Whether the decoded-page cache currently holds the page of {@code addr} (for tests). */
    public boolean cached(long addr) {
        long page = addr >>> PAGE_SHIFT;
        return slotPage[slot(page)] == page;
    }

    public List<MmioRegion> regions() {
        return List.of(regions);
    }
}
