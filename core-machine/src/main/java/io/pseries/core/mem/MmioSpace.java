package io.pseries.core.mem;

import java.util.ArrayList;
import java.util.List;

/**
 * The device part of the guest physical address space: a short list of {@link MmioRegion}s.
 * Lookup is a linear scan over enabled regions; machines have a handful of them, and the scan
 * is cheaper than any tree at that size.
 */
public final class MmioSpace {
    private MmioRegion[] regions = new MmioRegion[0];

    /** Maps a region; it must not overlap one already mapped. */
    public void map(MmioRegion r) {
        for (MmioRegion o : regions) {
            if (Long.compareUnsigned(r.base(), o.base() + o.size()) < 0
                && Long.compareUnsigned(o.base(), r.base() + r.size()) < 0) {
                throw new IllegalArgumentException("MMIO region " + r + " overlaps " + o);
            }
        }
        List<MmioRegion> l = new ArrayList<>(List.of(regions));
        l.add(r);
        regions = l.toArray(new MmioRegion[0]);
    }

    /** The enabled region covering {@code addr}, or {@code null}. */
    public MmioRegion find(long addr) {
        for (MmioRegion r : regions) {
            if (r.enabled() && Long.compareUnsigned(addr - r.base(), r.size()) < 0) {
                return r;
            }
        }
        return null;
    }

    public List<MmioRegion> regions() {
        return List.of(regions);
    }
}
