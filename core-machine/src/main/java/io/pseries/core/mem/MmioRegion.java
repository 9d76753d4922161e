package io.pseries.core.mem;

/**
 * A named window of the guest physical address space served by an {@link MmioHandler}.
 * A disabled region behaves as if it were not mapped (QEMU's memory_region_set_enabled).
 * Enabling or disabling a mapped region drops its {@link MmioSpace}'s decoded-page cache.
 *
 * <p>Threading: confined to the machine's thread.
 */
public final class MmioRegion {
    private final String name;
    private final long base;
    private final long size;
    private final MmioHandler handler;
    private boolean enabled = true;
    /** The space this region is mapped in, or null: told when the region is enabled or disabled. */
    private MmioSpace space;

    public MmioRegion(String name, long base, long size, MmioHandler handler) {
        if (size <= 0) {
            throw new IllegalArgumentException("region " + name + ": size must be > 0");
        }
        this.name = name;
        this.base = base;
        this.size = size;
        this.handler = handler;
    }

    public String name() {
        return name;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    public MmioHandler handler() {
        return handler;
    }

    public boolean enabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        if (this.enabled != enabled) {
            this.enabled = enabled;
            if (space != null) {
                space.invalidate();
            }
        }
    }

    /** Called by {@link MmioSpace#map}: a region is mapped in at most one space. */
    void attach(MmioSpace s) {
        if (space != null) {
            throw new IllegalStateException("MMIO region " + this + " is already mapped");
        }
        space = s;
    }

    void detach(MmioSpace s) {
        if (space == s) {
            space = null;
        }
    }

    /** Whether {@code addr} falls in this window (ignores the enabled flag). */
    public boolean covers(long addr) {
        return Long.compareUnsigned(addr - base, size) < 0;
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x, 0x%x)%s", name, base, base + size, enabled ? "" : " (disabled)");
    }
}
