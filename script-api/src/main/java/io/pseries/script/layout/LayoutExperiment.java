package io.pseries.script.layout;

import java.util.List;
import java.util.Map;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.HostLayout;
import io.pseries.core.irq.SpaprIrq;

/**
 * One combination of the layout laboratory: a XIVE machine with {@code cpus} vCPUs on a host
 * mapping the ESB pages as {@code mapping} says, {@code sources} device interrupts claimed (MSI
 * numbers from 0x1300; the interrupt space grows to fit), the guest model booted, the ESB
 * management page of every claimed source read once by the guest (so the pages faulted follow
 * what the guest touches), and one IPI from every vCPU to the next on the IPI hot path.
 *
 * <pre>
 *  create machine ─► claim sources (per-source: one mmap + one memory slot each, until a limit)
 *  boot ─► touch each claimed source's ESB page ─► IPI ring: VMM exits before/after ─► figures
 * </pre>
 *
 * A machine the host refuses (kernelIrqchip 'on' with a connect that failed) is a row with its
 * error, not an exception.
 *
 * <p>Threading: any thread; each run builds its own machine.
 */
public final class LayoutExperiment {
    private LayoutExperiment() {
    }

    /** What one combination costs. {@code failure} is the first mapping that failed (or the machine's error), or null. */
    public record Row(int cpus, int sources, String mapping, String kernelIrqchip, int nrIrqs, long vmas, long memslots,
                      long bytesMapped, long pagesMapped, long faults, long zaps, long ipisAllocated, long ipis,
                      double vmmExitsPerIpi, long failures, String failure) {
    }

    /** The option names of {@link #fromOptions}. */
    public static final List<String> KEYS = List.of("cpus", "sources", "mapping", "kernelIrqchip", "memSlots", "maxMapCount");

    /**
     * {@code pseries.layout({ cpus, sources, mapping, kernelIrqchip, memSlots, maxMapCount })}: runs
     * one combination (defaults 1 vCPU, 1024 sources, 'window', 'on', Linux 6.1's limits) and
     * returns its row as plain data. Bad options are errors naming the option.
     */
    public static Map<String, Object> fromOptions(Map<String, ?> o) {
        for (String k : o.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown layout option '" + k + "'"
                    + io.pseries.core.util.Suggest.didYouMean(k, KEYS) + "; valid options: " + String.join(", ", KEYS));
            }
        }
        int cpus = (int) MachineConfig.integer("cpus", o.containsKey("cpus") ? o.get("cpus") : 1, 1, MachineConfig.MAX_CPUS);
        int sources = (int) MachineConfig.integer("sources", o.containsKey("sources") ? o.get("sources") : 1024, 0,
            MachineConfig.MAX_NR_IRQS - SpaprIrq.MSI);
        Object mapping = o.containsKey("mapping") ? o.get("mapping") : HostConfig.ESB_WINDOW;
        Object kic = o.containsKey("kernelIrqchip") ? o.get("kernelIrqchip") : "on";
        if (!(kic instanceof String k) || !MachineConfig.KERNEL_IRQCHIP.contains(k)) {
            throw new IllegalArgumentException("invalid layout option kernelIrqchip: " + kic + "; expected 'off', 'on' or 'allowed'");
        }
        int slots = (int) MachineConfig.integer("memSlots", o.containsKey("memSlots") ? o.get("memSlots")
            : HostConfig.KVM_USER_MEM_SLOTS_PPC64, 1, Integer.MAX_VALUE);
        int maps = (int) MachineConfig.integer("maxMapCount", o.containsKey("maxMapCount") ? o.get("maxMapCount")
            : HostConfig.DEFAULT_MAX_MAP_COUNT, 1, Integer.MAX_VALUE);
        HostConfig host = new HostConfig(true, true, 16, slots, maps, null, String.valueOf(mapping));
        Row r = run(cpus, sources, host, (String) kic);
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("cpus", r.cpus());
        m.put("sources", r.sources());
        m.put("mapping", r.mapping());
        m.put("kernelIrqchip", r.kernelIrqchip());
        m.put("nrIrqs", r.nrIrqs());
        m.put("vmas", r.vmas());
        m.put("memslots", r.memslots());
        m.put("bytesMapped", r.bytesMapped());
        m.put("pagesMapped", r.pagesMapped());
        m.put("faults", r.faults());
        m.put("zaps", r.zaps());
        m.put("ipisAllocated", r.ipisAllocated());
        m.put("ipis", r.ipis());
        m.put("vmmExitsPerIpi", Double.isNaN(r.vmmExitsPerIpi()) ? null : r.vmmExitsPerIpi());
        m.put("failures", r.failures());
        m.put("failure", r.failure());
        return m;
    }

    /** The interrupt space that holds {@code sources} MSIs from 0x1300, rounded up to a 1024-source block. */
    public static int nrIrqsFor(int sources) {
        long need = (long) SpaprIrq.MSI + sources;
        long n = Math.max(SpaprIrq.XIVE_NR_IRQS, (need + 1023) & ~1023L);
        if (n > MachineConfig.MAX_NR_IRQS) {
            throw new IllegalArgumentException("--sources " + sources + " does not fit the KVM XIVE device's "
                + MachineConfig.MAX_NR_IRQS + " interrupt numbers");
        }
        return (int) n;
    }

    /** Runs one combination with the host's default limits. */
    public static Row run(int cpus, int sources, String mapping, String kernelIrqchip) {
        return run(cpus, sources, HostConfig.POWER9.withEsbMapping(mapping), kernelIrqchip);
    }

    /** Runs one combination on {@code host}. */
    public static Row run(int cpus, int sources, HostConfig host, String kernelIrqchip) {
        int nrIrqs = nrIrqsFor(sources);
        MachineConfig cfg = MachineConfig.builder().cpus(cpus).icMode("xive").kernelIrqchip(kernelIrqchip)
            .host(host).nrIrqs(nrIrqs).devices(List.of()).build();
        Machine m;
        try {
            m = Machine.create(cfg);
        } catch (IllegalStateException e) {
            return new Row(cpus, sources, host.esbMapping(), kernelIrqchip, nrIrqs, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                e.getMessage());
        }
        for (int i = 0; i < sources; i++) {
            m.claimIrq(SpaprIrq.MSI + i, false, "layout");
        }
        m.boot(GuestOs.BootOptions.defaults());
        for (int i = 0; i < sources; i++) {
            // an ESB GET on the management page: what a guest driver's first look at its source does
            m.load(0, esbManagementPage(SpaprIrq.MSI + i) + 0x800, 8);
        }
        long before = HostLayout.vmmExits(m.host());
        long taken0 = ipisTaken(m);
        for (int c = 0; c < cpus; c++) {
            m.guest().ipi(c, (c + 1) % cpus);
        }
        m.runUntilIdle();
        long ipis = ipisTaken(m) - taken0;
        double perIpi = ipis == 0 ? Double.NaN : (double) (HostLayout.vmmExits(m.host()) - before) / ipis;
        Map<String, Object> l = HostLayout.of(m.host());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> f = (List<Map<String, Object>>) l.get("failures");
        return new Row(cpus, sources, host.esbMapping(), kernelIrqchip, nrIrqs, n(l, "vmas"), n(l, "memslots"),
            n(l, "bytesMapped"), n(l, "pagesMapped"), n(l, "faults"), n(l, "zaps"), n(l, "ipisAllocated"), ipis, perIpi,
            n(l, "failuresTotal"), f.isEmpty() ? null : (String) f.get(0).get("message"));
    }

    /** sPAPR XIVE: source n's ESB pages are two 64K pages at VC_BASE + n * 128K; the second is management. */
    static long esbManagementPage(int lisn) {
        return 0x0006_0100_0000_0000L + (long) lisn * 0x20000 + 0x10000;
    }

    private static long ipisTaken(Machine m) {
        long n = 0;
        for (int c = 0; c < m.cpus().size(); c++) {
            n += m.guest().ipisTaken(c);
        }
        return n;
    }

    private static long n(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).longValue();
    }
}
