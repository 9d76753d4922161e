package io.pseries.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.cpu.CpuTopology;
import io.pseries.core.host.HostConfig;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.util.Suggest;

import static io.pseries.core.ConfigValues.bad;
import static io.pseries.core.ConfigValues.bits64;
import static io.pseries.core.ConfigValues.bool;
import static io.pseries.core.ConfigValues.string;

/**
 * The description of a machine: what {@code pseries.machine({...})} accepts.
 *
 * @param cpus          number of vCPUs, 1..{@value #MAX_CPUS}, a multiple of {@code threads}
 * @param icMode        interrupt-controller mode: {@code "xics"}, {@code "xive"}, {@code "dual"}
 *                      (QEMU's ic-mode; default {@code "dual"}) or the name of another
 *                      controller plugin
 * @param kernelIrqchip {@code "off"}, {@code "on"} or {@code "allowed"} (QEMU's kernel-irqchip):
 *                      whether the interrupt controller is the simulated host kernel's KVM device
 *                      ({@code "on"}: or the machine fails; {@code "allowed"}: or it falls back to
 *                      the emulated one with QEMU's warning) or the VMM's emulation ({@code "off"})
 * @param memory        guest RAM in bytes (a multiple of 64 KiB)
 * @param devices       devices in creation order
 * @param seed          seed of every pseudo-random choice the machine makes
 * @param host          the simulated host: its kernel's capabilities and its VMM's limits
 * @param threads       threads per core (QEMU's {@code -smp N,threads=T}): 1, 2, 4 or 8; default 1
 * @param vsmt          the VSMT mode (QEMU's {@code vsmt} machine property): the spacing of the
 *                      cores' vCPU ids, at least {@code threads}; default {@code threads}
 * @param nrIrqs        interrupt numbers of the machine: XIVE sources 0..nrIrqs-1, the
 *                      device range [0x1000, nrIrqs) shared with the XICS ICS, MSIs from 0x1300.
 *                      QEMU's pseries has {@value io.pseries.core.irq.SpaprIrq#XIVE_NR_IRQS}
 *                      (0x2000, the default); more let layouts with many thousands of sources be
 *                      tried, up to the KVM XIVE device's 2^20
 * @param platform      device-tree and firmware choices: {@code dtcClean}, {@code xVof},
 *                      {@code esbLoads} (see {@link Platform})
 */
public record MachineConfig(int cpus, String icMode, String kernelIrqchip, long memory,
                            List<DeviceConfig> devices, long seed, HostConfig host, int threads, int vsmt,
                            int nrIrqs, Platform platform, int hostThreads) {

    public static final int MAX_CPUS = 4096;
    public static final long MIN_MEMORY = 64L << 20;
    public static final long MAX_MEMORY = 1L << 40;
    public static final String DEFAULT_IC_MODE = "dual";
    public static final List<String> KERNEL_IRQCHIP = List.of("off", "on", "allowed");
    public static final List<String> KEYS = List.of("cpus", "threads", "vsmt", "icMode", "kernelIrqchip", "host", "memory",
        "devices", "seed", "nrIrqs", "dtcClean", "xVof", "esbLoads", "experimental", "hostThreads");
    /** The most host threads a parallel IPI run uses. */
    public static final int MAX_HOST_THREADS = 64;
    /**
     * Interfaces that exist only as proposals, each enabled by name in {@code experimental}:
     * {@code ocapi-rfc-2019}, the October 2019 RFC's OpenCAPI hcalls 0xF004-0xF007 (never merged).
     */
    public static final List<String> EXPERIMENTAL = List.of("ocapi-rfc-2019");
    /** Most threads per core and the largest VSMT mode (what KVM on POWER9 offers). */
    public static final int MAX_THREADS = 8;
    /** The most interrupt numbers: KVMPPC_XIVE_NR_IRQS, the in-kernel XIVE device's range (2^20). */
    public static final int MAX_NR_IRQS = 1 << 20;
    public static final List<String> ESB_LOADS = List.of("papr", "qemu");

    /**
     * Choices that change what the guest sees against QEMU's defaults, all off by default (QEMU's
     * tree and PAPR's answers).
     *
     * @param dtcClean {@code #address-cells = <0>} on interrupt providers so that dtc is quiet
     *                 (QEMU omits it; Linux reads a missing value as 0)
     * @param xVof     QEMU's {@code x-vof=on}: the tree the Virtual Open Firmware path builds
     * @param esbLoads {@code "papr"}: {@code H_INT_ESB} loads return the ESB byte in the low bits;
     *                 {@code "qemu"}: in the top byte, as QEMU 7.2 on a little-endian host does
     * @param experimental the proposals enabled (names from {@link #EXPERIMENTAL}); none by default
     */
    public record Platform(boolean dtcClean, boolean xVof, String esbLoads, List<String> experimental) {
        public static final Platform DEFAULT = new Platform(false, false, "papr", List.of());

        public Platform {
            experimental = List.copyOf(experimental);
        }

        public Platform(boolean dtcClean, boolean xVof, String esbLoads) {
            this(dtcClean, xVof, esbLoads, List.of());
        }

        /** Whether the proposal {@code name} is enabled. */
        public boolean has(String name) {
            return experimental.contains(name);
        }

        /** Whether H_INT_ESB loads use QEMU 7.2's little-endian-host placement. */
        public boolean qemuEsbLoads() {
            return "qemu".equals(esbLoads);
        }
    }

    /** The same machine on a host with configuration {@code h}. */
    public MachineConfig withHost(HostConfig h) {
        return new MachineConfig(cpus, icMode, kernelIrqchip, memory, devices, seed, h, threads, vsmt, nrIrqs, platform, hostThreads);
    }

    /** The same machine with another {@code kernelIrqchip} ('off', 'on' or 'allowed'). */
    public MachineConfig withKernelIrqchip(String k) {
        if (!KERNEL_IRQCHIP.contains(k)) {
            throw new IllegalArgumentException("kernelIrqchip must be 'off', 'on' or 'allowed', got '" + k + "'");
        }
        return new MachineConfig(cpus, icMode, k, memory, devices, seed, host, threads, vsmt, nrIrqs, platform, hostThreads);
    }

    /** One device: its type and its type-specific options. */
    public record DeviceConfig(String type, Map<String, Object> options) {
        public DeviceConfig {
            options = Map.copyOf(options);
        }

        public static DeviceConfig of(String type) {
            return new DeviceConfig(type, Map.of());
        }
    }

    public MachineConfig {
        devices = List.copyOf(devices);
    }

    /** How the vCPUs are grouped in cores and numbered. */
    public CpuTopology topology() {
        return new CpuTopology(cpus, threads, vsmt);
    }

    /** A default machine: 1 vCPU, dual mode, 1 GiB, a spapr-vty console. */
    public static MachineConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private int cpus = 1;
        private String icMode = DEFAULT_IC_MODE;
        private String kernelIrqchip = "off";
        private long memory = 1L << 30;
        private List<DeviceConfig> devices = List.of(DeviceConfig.of("spapr-vty"));
        private long seed;
        private HostConfig host = HostConfig.POWER9;
        private int threads = 1;
        private int vsmt;
        private int nrIrqs = SpaprIrq.XIVE_NR_IRQS;
        private Platform platform = Platform.DEFAULT;
        private int hostThreads = 1;

        public Builder cpus(int n) {
            this.cpus = n;
            return this;
        }

        public Builder icMode(String m) {
            this.icMode = m;
            return this;
        }

        public Builder kernelIrqchip(String k) {
            this.kernelIrqchip = k;
            return this;
        }

        public Builder memory(long bytes) {
            this.memory = bytes;
            return this;
        }

        public Builder devices(List<DeviceConfig> d) {
            this.devices = d;
            return this;
        }

        public Builder device(String type, Map<String, Object> options) {
            List<DeviceConfig> l = new ArrayList<>(devices);
            l.add(new DeviceConfig(type, options));
            devices = l;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Threads per core (QEMU's {@code -smp ...,threads=}). */
        public Builder threads(int t) {
            this.threads = t;
            return this;
        }

        /** The VSMT mode; 0: the default, equal to {@code threads}. */
        public Builder vsmt(int v) {
            this.vsmt = v;
            return this;
        }

        public Builder platform(Platform p) {
            this.platform = p;
            return this;
        }

        public Builder dtcClean(boolean on) {
            this.platform = new Platform(on, platform.xVof(), platform.esbLoads(), platform.experimental());
            return this;
        }

        public Builder xVof(boolean on) {
            this.platform = new Platform(platform.dtcClean(), on, platform.esbLoads(), platform.experimental());
            return this;
        }

        public Builder esbLoads(String how) {
            this.platform = new Platform(platform.dtcClean(), platform.xVof(), how, platform.experimental());
            return this;
        }

        /** The proposals to enable (see {@link #EXPERIMENTAL}). */
        public Builder experimental(List<String> names) {
            this.platform = new Platform(platform.dtcClean(), platform.xVof(), platform.esbLoads(), names);
            return this;
        }

        public Builder host(HostConfig h) {
            this.host = h;
            return this;
        }

        public Builder nrIrqs(int n) {
            this.nrIrqs = n;
            return this;
        }

        /** Host threads for unpaced IPI workloads (1: the deterministic mode). */
        public Builder hostThreads(int n) {
            this.hostThreads = n;
            return this;
        }

        public MachineConfig build() {
            if (cpus < 1 || cpus > MAX_CPUS) {
                throw bad("cpus", cpus, "an integer from 1 to " + MAX_CPUS
                    + " (one XIVE IPI per vCPU in the 0x1000 IPI range)");
            }
            if ("split".equals(kernelIrqchip)) {
                // QEMU's spapr_irq_init refuses it before anything else
                throw new IllegalArgumentException("invalid machine option kernelIrqchip: 'split': kernel_irqchip split"
                    + " mode not supported on pseries; expected 'off', 'on' or 'allowed'");
            }
            if (!KERNEL_IRQCHIP.contains(kernelIrqchip)) {
                throw bad("kernelIrqchip", "'" + kernelIrqchip + "'", "'off', 'on' or 'allowed'"
                    + Suggest.didYouMean(kernelIrqchip, KERNEL_IRQCHIP));
            }
            if (memory < MIN_MEMORY || memory > MAX_MEMORY || memory % (64 * 1024) != 0) {
                throw bad("memory", memory, "a multiple of 64K between 64M and 1T, e.g. '1G'");
            }
            checkTopology();
            if (nrIrqs < SpaprIrq.XIVE_NR_IRQS || nrIrqs > MAX_NR_IRQS) {
                throw bad("nrIrqs", nrIrqs, String.format("an integer from 0x%x (QEMU's default) to 0x%x (%d)",
                    SpaprIrq.XIVE_NR_IRQS, MAX_NR_IRQS, MAX_NR_IRQS));
            }
            if (!ESB_LOADS.contains(platform.esbLoads())) {
                throw bad("esbLoads", "'" + platform.esbLoads() + "'", "'papr' (the default) or 'qemu'"
                    + Suggest.didYouMean(String.valueOf(platform.esbLoads()), ESB_LOADS));
            }
            for (String x : platform.experimental()) {
                if (!EXPERIMENTAL.contains(x)) {
                    throw bad("experimental", "'" + x + "'", "names of proposals: " + String.join(", ", EXPERIMENTAL)
                        + Suggest.didYouMean(x, EXPERIMENTAL));
                }
            }
            if (hostThreads < 1 || hostThreads > MAX_HOST_THREADS || hostThreads > cpus) {
                throw bad("hostThreads", hostThreads, "an integer from 1 (the deterministic mode) to "
                    + MAX_HOST_THREADS + " and at most cpus (" + cpus + "): every host thread runs a domain of vCPUs");
            }
            int mode = vsmt == 0 ? threads : vsmt;
            return new MachineConfig(cpus, icMode, kernelIrqchip, memory, devices, seed, host, threads, mode, nrIrqs,
                platform, hostThreads);
        }

        /** QEMU's checks of -smp threads and vsmt (spapr_set_vsmt_mode, spapr_init_cpus), with QEMU's messages. */
        private void checkTopology() {
            if (threads < 1 || threads > MAX_THREADS || Integer.bitCount(threads) != 1) {
                throw bad("threads", threads, "1, 2, 4 or 8 (\"Cannot support " + threads + " threads/core on a pseries"
                    + " machine because it must be a power of 2\")");
            }
            if (cpus % threads != 0) {
                throw bad("cpus", cpus, "a multiple of threads (\"smp_cpus (" + cpus + ") must be multiple of threads ("
                    + threads + ")\")");
            }
            if (vsmt != 0 && (vsmt < 1 || vsmt > MAX_THREADS || Integer.bitCount(vsmt) != 1)) {
                throw bad("vsmt", vsmt, "1, 2, 4 or 8, at least threads (" + threads + ")");
            }
            if (vsmt != 0 && vsmt < threads) {
                throw bad("vsmt", vsmt, "at least threads (\"Cannot support VSMT mode " + vsmt
                    + " because it must be >= threads/core (" + threads + ")\")");
            }
            int mode = vsmt == 0 ? threads : vsmt;
            long servers = ((long) cpus * mode + threads - 1) / threads;
            if (servers > MAX_CPUS) {
                throw bad("vsmt", mode, "a mode that keeps the server numbers (cpus x vsmt / threads = " + servers
                    + ") within the " + MAX_CPUS + " IPI numbers");
            }
        }
    }

    /**
     * Reads a configuration from plain data (a JS object converted to maps, lists, numbers,
     * strings and booleans). Unknown keys and ill-typed values are errors naming the option,
     * the bad value and what is valid.
     */
    public static MachineConfig fromMap(Map<String, ?> m) {
        Builder b = builder();
        for (String k : m.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown machine option '" + k + "'"
                    + Suggest.didYouMean(k, KEYS) + "; valid options: " + String.join(", ", KEYS));
            }
        }
        Object v;
        if ((v = m.get("cpus")) != null) {
            b.cpus((int) integer("cpus", v, 1, MAX_CPUS));
        }
        if ((v = m.get("threads")) != null) {
            b.threads((int) integer("threads", v, 1, MAX_THREADS));
        }
        if ((v = m.get("vsmt")) != null) {
            b.vsmt((int) integer("vsmt", v, 1, MAX_THREADS));
        }
        if ((v = m.get("icMode")) != null) {
            b.icMode(string("icMode", v));
        }
        if ((v = m.get("kernelIrqchip")) != null) {
            b.kernelIrqchip(string("kernelIrqchip", v));
        }
        if ((v = m.get("memory")) != null) {
            b.memory(parseSize("memory", v));
        }
        if ((v = m.get("seed")) != null) {
            b.seed(bits64("seed", v));
        }
        if ((v = m.get("nrIrqs")) != null) {
            b.nrIrqs((int) integer("nrIrqs", v, SpaprIrq.XIVE_NR_IRQS, MAX_NR_IRQS));
        }
        if ((v = m.get("hostThreads")) != null) {
            b.hostThreads((int) integer("hostThreads", v, 1, MAX_HOST_THREADS));
        }
        if ((v = m.get("dtcClean")) != null) {
            b.dtcClean(bool("dtcClean", v));
        }
        if ((v = m.get("xVof")) != null) {
            b.xVof(bool("xVof", v));
        }
        if ((v = m.get("esbLoads")) != null) {
            b.esbLoads(string("esbLoads", v));
        }
        if ((v = m.get("experimental")) != null) {
            if (!(v instanceof Collection<?> xl) || !xl.stream().allMatch(x -> x instanceof String)) {
                throw bad("experimental", v, "an array of names of proposals, e.g. ['ocapi-rfc-2019']");
            }
            b.experimental(xl.stream().map(String::valueOf).toList());
        }
        if ((v = m.get("host")) != null) {
            if (!(v instanceof Map<?, ?> host)) {
                throw bad("host", v, "an object such as { xive: true, xicsOnXive: true, pageSize: '64K' }");
            }
            b.host(HostConfig.fromMap(host));
        }
        if ((v = m.get("devices")) != null) {
            if (!(v instanceof Collection<?> list)) {
                throw bad("devices", v, "an array of { type: ... } objects");
            }
            List<DeviceConfig> devs = new ArrayList<>();
            int i = 0;
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> dm) || !(dm.get("type") instanceof String type)) {
                    throw bad("devices[" + i + "]", o, "an object with a string 'type', e.g. { type: 'spapr-vty' }");
                }
                Map<String, Object> opts = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : dm.entrySet()) {
                    if (!"type".equals(e.getKey())) {
                        opts.put(String.valueOf(e.getKey()), e.getValue());
                    }
                }
                devs.add(new DeviceConfig(type, opts));
                i++;
            }
            b.devices(devs);
        }
        return b.build();
    }

    /** An integer machine option, from a Java integer type or an integral double; see {@link ConfigValues}. */
    public static long integer(String option, Object v, long min, long max) {
        return ConfigValues.integer(option, v, min, max);
    }

    /**
     * An integer from a Java integer type or an integral double, checked exactly; {@code what}
     * names it in the error, e.g. "boot option timing.mmioNs".
     */
    public static long integerValue(String what, Object v, long min, long max) {
        return ConfigValues.integerValue(what, v, min, max);
    }

    /** A size given as a number of bytes or a string such as {@code '512M'} or {@code '1G'}. */
    public static long parseSize(String option, Object v) {
        return ConfigValues.parseSize(option, v);
    }
}
