package io.pseries.core.host;

import java.util.List;
import java.util.Map;

import io.pseries.core.util.Suggest;

/**
 * What the simulated host is: the capabilities of its kernel and the limits of its VMM
 * process (the machine option {@code host: { ... }}).
 *
 * @param xive          the kernel offers {@code KVM_DEV_TYPE_XIVE} (a POWER9 host with
 *                      {@code KVM_CAP_PPC_IRQ_XIVE})
 * @param xicsOnXive    the kernel offers {@code KVM_DEV_TYPE_XICS}, implemented on the host XIVE
 * @param pageShift     host page size: 16 (64K, the POWER9 default) or 12 (4K)
 * @param userMemSlots  KVM's user memory slot limit. Linux 6.1 defines it in
 *                      include/linux/kvm_host.h as {@code KVM_MEM_SLOTS_NUM - KVM_PRIVATE_MEM_SLOTS}
 *                      with {@code KVM_MEM_SLOTS_NUM = SHRT_MAX} (since commit 4fc096a99e01, "KVM:
 *                      Raise the maximum number of user memslots") and powerpc defining no private
 *                      slots: 32767
 * @param maxMapCount   the VMM's {@code vm.max_map_count} (Linux's default 65530 =
 *                      USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN)
 * @param costs         virtual-time cost of each exit kind
 * @param esbMapping    how the VMM maps the XIVE device's ESB pages: {@link #ESB_WINDOW} (what KVM
 *                      ships: one mmap of the whole ESB window, one memory slot, pages
 *                      demand-faulted) or {@link #ESB_PER_SOURCE} (the layout the design rejected:
 *                      one VMA and one memory slot per source's page pair, on a host kernel that
 *                      would accept an ESB mapping starting at a source)
 */
public record HostConfig(boolean xive, boolean xicsOnXive, int pageShift, int userMemSlots, int maxMapCount,
                         ExitCosts costs, String esbMapping) {
    public static final String ESB_WINDOW = "window";
    public static final String ESB_PER_SOURCE = "per-source";
    public static final List<String> ESB_MAPPINGS = List.of(ESB_WINDOW, ESB_PER_SOURCE);

    public static final int KVM_USER_MEM_SLOTS_PPC64 = 32767;
    public static final int DEFAULT_MAX_MAP_COUNT = 65530;
    /** The option names accepted under {@code host}. */
    public static final List<String> KEYS = List.of("xive", "xicsOnXive", "pageSize", "memSlots", "maxMapCount",
        "esbMapping");

    /** A POWER9 host with both devices, 64K pages, Linux 6.1's limits. */
    public static final HostConfig POWER9 = new HostConfig(true, true, 16, KVM_USER_MEM_SLOTS_PPC64,
        DEFAULT_MAX_MAP_COUNT, ExitCosts.DEFAULTS);

    public HostConfig {
        if (pageShift != 12 && pageShift != 16) {
            throw new IllegalArgumentException("invalid machine option host.pageSize: " + (1 << pageShift)
                + "; expected '64K' or '4K'");
        }
        if (userMemSlots < 1) {
            throw new IllegalArgumentException("invalid machine option host.memSlots: " + userMemSlots
                + "; expected an integer >= 1");
        }
        if (maxMapCount < 1) {
            throw new IllegalArgumentException("invalid machine option host.maxMapCount: " + maxMapCount
                + "; expected an integer >= 1");
        }
        if (costs == null) {
            costs = ExitCosts.DEFAULTS;
        }
        if (esbMapping == null) {
            esbMapping = ESB_WINDOW;
        }
        if (!ESB_MAPPINGS.contains(esbMapping)) {
            throw new IllegalArgumentException("invalid machine option host.esbMapping: '" + esbMapping
                + "'; expected 'window' or 'per-source'" + Suggest.didYouMean(esbMapping, ESB_MAPPINGS));
        }
    }

    /** The layout KVM ships: one ESB window. */
    public HostConfig(boolean xive, boolean xicsOnXive, int pageShift, int userMemSlots, int maxMapCount, ExitCosts costs) {
        this(xive, xicsOnXive, pageShift, userMemSlots, maxMapCount, costs, ESB_WINDOW);
    }

    /** Whether the VMM maps one VMA and one memory slot per source ({@link #ESB_PER_SOURCE}). */
    public boolean esbPerSource() {
        return ESB_PER_SOURCE.equals(esbMapping);
    }

    public HostConfig withEsbMapping(String m) {
        return new HostConfig(xive, xicsOnXive, pageShift, userMemSlots, maxMapCount, costs, m);
    }

    public long pageSize() {
        return 1L << pageShift;
    }

    /** {@code "64K"} or {@code "4K"}. */
    public String pageSizeName() {
        return pageShift == 16 ? "64K" : "4K";
    }

    public HostConfig withCosts(ExitCosts c) {
        return new HostConfig(xive, xicsOnXive, pageShift, userMemSlots, maxMapCount, c, esbMapping);
    }

    /**
     * Reads {@code host: { xive, xicsOnXive, pageSize, memSlots, maxMapCount, esbMapping }} from plain data;
     * absent keys keep the POWER9 defaults. Errors name the option, the bad value and what is valid.
     */
    public static HostConfig fromMap(Map<?, ?> m) {
        boolean xive = POWER9.xive;
        boolean xics = POWER9.xicsOnXive;
        int shift = POWER9.pageShift;
        int slots = POWER9.userMemSlots;
        int maps = POWER9.maxMapCount;
        String esb = POWER9.esbMapping;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            Object v = e.getValue();
            switch (k) {
                case "xive" -> xive = bool("host.xive", v);
                case "xicsOnXive" -> xics = bool("host.xicsOnXive", v);
                case "pageSize" -> shift = pageShift(v);
                case "memSlots" -> slots = positive("host.memSlots", v);
                case "maxMapCount" -> maps = positive("host.maxMapCount", v);
                case "esbMapping" -> esb = v instanceof String str ? str : String.valueOf(v);
                default -> throw new IllegalArgumentException("unknown host option '" + k + "'"
                    + Suggest.didYouMean(k, KEYS) + "; valid options: " + String.join(", ", KEYS));
            }
        }
        return new HostConfig(xive, xics, shift, slots, maps, ExitCosts.DEFAULTS, esb);
    }

    private static boolean bool(String option, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("invalid machine option " + option + ": " + v + "; expected true or false");
    }

    private static int pageShift(Object v) {
        if ("64K".equals(v) || "64k".equals(v) || Long.valueOf(65536).equals(number(v))) {
            return 16;
        }
        if ("4K".equals(v) || "4k".equals(v) || Long.valueOf(4096).equals(number(v))) {
            return 12;
        }
        throw new IllegalArgumentException("invalid machine option host.pageSize: "
            + (v instanceof String ? "'" + v + "'" : v) + "; expected '64K' or '4K'");
    }

    private static Long number(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double d && d == Math.rint(d)) {
            return d.longValue();
        }
        return null;
    }

    private static int positive(String option, Object v) {
        Long n = number(v);
        if (n == null || n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid machine option " + option + ": " + v
                + "; expected an integer from 1 to " + Integer.MAX_VALUE);
        }
        return (int) (long) n;
    }
}
