package io.pseries.core.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulated host's counters. "Current" counts (VMAs, pages and bytes mapped, memory slots,
 * IPIs allocated) go up and down; the others only grow.
 *
 * <p>Threading: the machine's thread only.
 */
public final class HostStats {
    /** Host page faults taken on device mappings (each inserted a page or raised SIGBUS). */
    long faults;
    /** Faults answered with SIGBUS. */
    long sigbus;
    /** Zap calls ({@code unmap_mapping_range}) and the pages they removed. */
    long zaps;
    long pagesZapped;
    /** Current: VMAs of the VMM, bytes they span, device pages inserted, KVM memory slots. */
    long vmas;
    long bytesMapped;
    long pagesMapped;
    long memslots;
    /** Current and total hardware interrupts allocated by KVM devices (generic IPIs). */
    long ipisAllocated;
    long ipisAllocatedTotal;
    long deviceCreations;
    long deviceDestructions;
    /** Exits by kind to the VMM, and those KVM served in the kernel. */
    final long[] vmmExits = new long[ExitKind.values().length];
    final long[] kernelExits = new long[ExitKind.values().length];
    /** Guest accesses served through a mapping without any exit. */
    long directAccesses;
    /** Virtual time charged for exits and faults, ns. */
    long exitNs;
    private final io.pseries.core.host.pt.PassthroughStats passthrough = new io.pseries.core.host.pt.PassthroughStats();

    /** The pass-through counters (links, paths taken, denials). */
    public io.pseries.core.host.pt.PassthroughStats passthrough() {
        return passthrough;
    }

    public long faults() {
        return faults;
    }

    public long sigbus() {
        return sigbus;
    }

    public long zaps() {
        return zaps;
    }

    public long pagesZapped() {
        return pagesZapped;
    }

    public long vmas() {
        return vmas;
    }

    public long bytesMapped() {
        return bytesMapped;
    }

    public long pagesMapped() {
        return pagesMapped;
    }

    public long memslots() {
        return memslots;
    }

    public long ipisAllocated() {
        return ipisAllocated;
    }

    public long ipisAllocatedTotal() {
        return ipisAllocatedTotal;
    }

    public long deviceCreations() {
        return deviceCreations;
    }

    public long deviceDestructions() {
        return deviceDestructions;
    }

    public long vmmExits(ExitKind k) {
        return vmmExits[k.ordinal()];
    }

    public long kernelExits(ExitKind k) {
        return kernelExits[k.ordinal()];
    }

    public long directAccesses() {
        return directAccesses;
    }

    public long exitNs() {
        return exitNs;
    }

    /**
     * A checkpoint's restored VM takes {@code old}'s place: the running totals (faults, SIGBUS,
     * zaps and pages zapped, IPIs allocated in all, device creations and destructions, exits,
     * direct accesses, exit time, the pass-through counters) continue from {@code old}'s, and what
     * the restore itself counted is dropped; the current counts (VMAs, bytes and pages mapped,
     * memory slots, IPIs allocated now) stay this host's own.
     */
    public void continueFrom(HostStats old) {
        faults = old.faults;
        sigbus = old.sigbus;
        zaps = old.zaps;
        pagesZapped = old.pagesZapped;
        ipisAllocatedTotal = old.ipisAllocatedTotal;
        deviceCreations = old.deviceCreations;
        deviceDestructions = old.deviceDestructions;
        System.arraycopy(old.vmmExits, 0, vmmExits, 0, vmmExits.length);
        System.arraycopy(old.kernelExits, 0, kernelExits, 0, kernelExits.length);
        directAccesses = old.directAccesses;
        exitNs = old.exitNs;
        passthrough.continueFrom(old.passthrough);
    }

    /** A hardware interrupt was allocated ({@code +1}) or freed ({@code -1}) for a KVM device. */
    public void ipiAllocated(int delta) {
        ipisAllocated += delta;
        if (delta > 0) {
            ipisAllocatedTotal += delta;
        }
    }

    /**
     * All counters as plain data: {@code { faults, sigbus, zaps, pagesZapped, vmas, bytesMapped,
     * pagesMapped, memslots, ipisAllocated, ipisAllocatedTotal, deviceCreations,
     * deviceDestructions, exits: { hcall, rtas, mmio, irq }, kernelExits: { hcall, rtas, mmio, irq },
     * directAccesses, exitNs, passthrough: {...} }}.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("faults", faults);
        m.put("sigbus", sigbus);
        m.put("zaps", zaps);
        m.put("pagesZapped", pagesZapped);
        m.put("vmas", vmas);
        m.put("bytesMapped", bytesMapped);
        m.put("pagesMapped", pagesMapped);
        m.put("memslots", memslots);
        m.put("ipisAllocated", ipisAllocated);
        m.put("ipisAllocatedTotal", ipisAllocatedTotal);
        m.put("deviceCreations", deviceCreations);
        m.put("deviceDestructions", deviceDestructions);
        m.put("exits", byKind(vmmExits));
        m.put("kernelExits", byKind(kernelExits));
        m.put("directAccesses", directAccesses);
        m.put("exitNs", exitNs);
        m.put("passthrough", passthrough.toMap());
        return m;
    }

    private static Map<String, Object> byKind(long[] a) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ExitKind k : ExitKind.values()) {
            m.put(k.jsName(), a[k.ordinal()]);
        }
        return m;
    }
}
