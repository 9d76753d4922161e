package io.pseries.core.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the interrupt controller's layout costs the host right now (the layout laboratory's
 * figures, {@code m.host.layout()}): the device mappings of the VMM and the KVM memory slots
 * behind them, the pages faulted in, the faults and zaps so far, the hardware IPIs KVM allocated,
 * the exits, the limits the layout runs against and every mapping that failed.
 *
 * <pre>
 *  mapping     'window' | 'per-source'      (host.esbMapping)
 *  vmas        device-file VMAs (ESB window or pairs, TIMA); guest RAM's VMA is in totalVmas
 *  memslots    KVM memory slots other than guest RAM's slot 0
 *  bytesMapped address space those VMAs span      pagesMapped  device pages present now
 *  faults, sigbus, zaps, pagesZapped, ipisAllocated, exits { vmm, kernel, direct }
 *  limits { memSlots (KVM_USER_MEM_SLOTS), maxMapCount (vm.max_map_count) }, failures [first 8], failuresTotal
 * </pre>
 *
 * <p>Threading: the machine's thread only (it reads the live host).
 */
public final class HostLayout {
    /** Failures listed (the first ones; {@code failuresTotal} counts them all). */
    public static final int SHOWN_FAILURES = 8;
    private HostLayout() {
    }

    /** The figures of {@code host} as plain data. */
    public static Map<String, Object> of(Host host) {
        long vmas = 0;
        long bytes = 0;
        for (Vma v : host.process().vmas()) {
            if (v.file() != null) {
                vmas++;
                bytes += v.size();
            }
        }
        long slots = 0;
        for (MemSlot s : host.memslots().list()) {
            if (s.slot() != 0) {
                slots++;
            }
        }
        HostStats st = host.stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mapping", host.config().esbMapping());
        m.put("pageSize", host.config().pageSizeName());
        m.put("vmas", vmas);
        m.put("totalVmas", st.vmas());
        m.put("memslots", slots);
        m.put("bytesMapped", bytes);
        m.put("pagesMapped", st.pagesMapped());
        m.put("faults", st.faults());
        m.put("sigbus", st.sigbus());
        m.put("zaps", st.zaps());
        m.put("pagesZapped", st.pagesZapped());
        m.put("ipisAllocated", st.ipisAllocated());
        Map<String, Object> exits = new LinkedHashMap<>();
        Map<String, Object> vmm = new LinkedHashMap<>();
        Map<String, Object> kernel = new LinkedHashMap<>();
        for (ExitKind k : ExitKind.values()) {
            vmm.put(k.jsName(), st.vmmExits(k));
            kernel.put(k.jsName(), st.kernelExits(k));
        }
        exits.put("vmm", vmm);
        exits.put("kernel", kernel);
        exits.put("direct", st.directAccesses());
        m.put("exits", exits);
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("memSlots", host.memslots().limit());
        limits.put("maxMapCount", host.config().maxMapCount());
        m.put("limits", limits);
        List<MappingFailure> all = host.failures();
        List<Object> f = new ArrayList<>();
        for (MappingFailure x : all.subList(0, Math.min(all.size(), SHOWN_FAILURES))) {
            f.add(x.toMap());
        }
        m.put("failures", f);
        m.put("failuresTotal", all.size());
        return m;
    }

    /** VMM exits of every kind so far (the hot-path figure divides a difference of these). */
    public static long vmmExits(Host host) {
        long n = 0;
        for (ExitKind k : ExitKind.values()) {
            n += host.stats().vmmExits(k);
        }
        return n;
    }
}
