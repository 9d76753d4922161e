package io.pseries.core.dt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import io.pseries.core.cas.CasNegotiation;
import io.pseries.core.cpu.CpuTopology;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.Device;
import io.pseries.core.dev.EventSources;
import io.pseries.core.dev.pci.SpaprPhb;
import io.pseries.core.drc.DrcKind;
import io.pseries.core.drc.DrcTable;
import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.ControllerSet;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.rtas.RtasTable;

/**
 * The platform's device tree as QEMU's spapr_build_fdt writes it, pre- or post-CAS: the root,
 * {@code /chosen} (the negotiated vector 5, the platform interrupt modes, the console),
 * {@code /rtas} (the registered calls and their tokens), {@code /cpus} (one node per core),
 * {@code /memory@0} and
 * {@code /vdevice}; the event sources, the PHB and the devices add their nodes, and the active
 * interrupt controller its own.
 *
 * <pre>
 *  build() ──► root ─ chosen ─ rtas ─ event-sources ─ cpus ─ PHB ─ vdevice + VIO devices ─ memory@0
 *                └──► active controller's node ──► (dtcClean) #address-cells on interrupt providers
 * </pre>
 *
 * <p>A fresh tree per call: it reflects the state at that moment (CAS outcome, active backend).
 * Threading: confined to the machine's thread.
 */
public final class PlatformTree {
    private final GuestMemory memory;
    private final List<VCpu> cpus;
    private final RtasTable rtas;
    private final ControllerSet controllers;
    private final CasNegotiation cas;
    private final List<Device> devices;
    private final EventSources eventSources;
    private final SpaprPhb phb;
    private final CpuTopology topology;
    private final DrcTable drcs;
    private final long seed;
    private boolean dtcClean;
    private boolean vof;

    /**
     * @param devices   every device, the event sources and the PHB included (they are written in
     *                  their own places)
     * @param topology  cores, threads and vCPU ids (one cpu node per core; the server count)
     * @param seed      the machine seed (the {@code rng-seed} bytes derive from it)
     */
    public PlatformTree(GuestMemory memory, List<VCpu> cpus, RtasTable rtas, ControllerSet controllers,
                        CasNegotiation cas, List<Device> devices, EventSources eventSources, SpaprPhb phb,
                        DrcTable drcs, CpuTopology topology, long seed) {
        this.memory = memory;
        this.cpus = cpus;
        this.rtas = rtas;
        this.controllers = controllers;
        this.cas = cas;
        this.devices = devices;
        this.eventSources = eventSources;
        this.phb = phb;
        this.topology = topology;
        this.drcs = drcs;
        this.seed = seed;
    }

    /**
     * Whether interrupt providers get {@code #address-cells = <0>} so that dtc reports no
     * warning. QEMU omits it; Linux reads a missing value as 0, so the guest sees no difference.
     */
    public void setDtcClean(boolean clean) {
        this.dtcClean = clean;
    }

    public boolean dtcClean() {
        return dtcClean;
    }

    /**
     * QEMU's {@code x-vof=on}: the Virtual Open Firmware path finishes the tree itself and adds
     * {@code /chosen/bootargs} (the kernel command line; the model has none, so empty) and
     * {@code /chosen/stdout} (the ihandle VOF opened on the console: the first instance, 1).
     */
    public void setVof(boolean on) {
        this.vof = on;
    }

    public boolean vof() {
        return vof;
    }

    /** The tree QEMU would hand the guest now. */
    public DtNode build() {
        InterruptController active = controllers.active();
        DtNode root = new DtNode("");
        if (active.casRole() == CasRole.EXPLOITATION) {
            root.setCells("ibm,plat-res-int-priorities", 7, 0xf8);
        }
        root.setCells("#size-cells", 2);
        root.setCells("#address-cells", 2);
        root.setString("vm,uuid", "00000000-0000-0000-0000-000000000000");
        root.setString("compatible", "qemu,pseries");
        root.setString("model", "IBM pSeries (emulated by qemu)");
        root.setString("device_type", "chrp");
        drcs.writeProperties(root, null, DrcKind.PHB);

        DtNode pmem = root.addChild("ibm,persistent-memory");
        pmem.setString("device_type", "ibm,persistent-memory");
        pmem.setCells("#size-cells", 0);
        pmem.setCells("#address-cells", 1);

        writeChosen(root.addChild("chosen"));
        writeRtas(root.addChild("rtas"));
        eventSources.writeDeviceTree(root);
        writeCpus(root.addChild("cpus"));
        phb.writeDeviceTree(root);

        DtNode vdev = root.addChild("vdevice");
        vdev.setEmpty("interrupt-controller");
        vdev.setCells("#interrupt-cells", 2);
        vdev.setCells("#size-cells", 0);
        vdev.setCells("#address-cells", 1);
        vdev.setString("compatible", "IBM,vdevice");
        vdev.setString("device_type", "vdevice");
        for (Device d : devices) {
            if (d != eventSources && d != phb) {
                d.writeDeviceTree(root);
            }
        }

        DtNode mem = root.addChild("memory@0");
        if (cas.form2Affinity()) {
            mem.setCells("ibm,associativity", 1, 0);
        } else {
            mem.setCells("ibm,associativity", 4, 0, 0, 0, 0);
        }
        mem.setCells("reg", 0, 0, memory.size() >>> 32, memory.size() & 0xffff_ffffL);
        mem.setString("device_type", "memory");

        active.writeDeviceTree(root, topology.nrServers(), SpaprIrq.PHANDLE_INTC);

        if (dtcClean) {
            addAddressCellsToInterruptProviders(root);
        }
        return root;
    }

    private static void addAddressCellsToInterruptProviders(DtNode n) {
        if (n.has("interrupt-controller") && !n.has("#address-cells")) {
            n.setCells("#address-cells", 0);
        }
        for (DtNode c : n.children()) {
            addAddressCellsToInterruptProviders(c);
        }
    }

    private void writeChosen(DtNode chosen) {
        chosen.set("ibm,architecture-vec-5", cas.negotiated().encode());
        chosen.set("rng-seed", rngSeed());
        int x = cas.platformInterruptModes();
        chosen.setCells("ibm,arch-vec-5-platform-support", 0x17000000L | (x << 16) | 0x18c0, 0x19001a40);
        chosen.setCells("linux,pci-probe-only", 0);
        String console = stdoutPath();
        if (console != null) {
            chosen.setString("stdout-path", console);
            chosen.setString("linux,stdout-path", console);
        }
        chosen.setCells("qemu,graphic-depth", 0x20);
        chosen.setCells("qemu,graphic-height", 0x258);
        chosen.setCells("qemu,graphic-width", 0x320);
        if (vof) {
            // added after the tree is built, so libfdt places them first
            java.util.Map<String, byte[]> first = new java.util.LinkedHashMap<>();
            if (console != null) {
                first.put("stdout", new byte[] {0, 0, 0, 1});
            }
            first.put("bootargs", new byte[] {0});
            chosen.prepend(first);
        }
    }

    /** 32 bytes derived from the machine seed (QEMU uses host randomness; we stay deterministic). */
    private byte[] rngSeed() {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5eed_5eedL);
        byte[] b = new byte[32];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private String stdoutPath() {
        for (Device d : devices) {
            if (d.type().equals("spapr-vty")) {
                return "/vdevice/" + d.name();
            }
        }
        return null;
    }

    private void writeRtas(DtNode n) {
        List<RtasTable.Entry> entries = new ArrayList<>(rtas.byToken().values());
        Collections.reverse(entries);
        for (RtasTable.Entry e : entries) {
            n.setCells(e.name(), e.token());
        }
        // the last cell counts cores (QEMU: max_cpus / threads)
        n.setCells("ibm,lrdr-capacity", 0, 0, 0, 0x10000000L, topology.cores());
        n.setEmpty("ibm,extended-os-term");
        n.setEmpty("ibm,change-msix-capable");
        n.setCells("rtas-event-scan-rate", 1);
        n.setCells("rtas-error-log-max", 0x800);
        n.setCells("rtas-size", rtasSize(cpus.size()));
        if (cas.form2Affinity()) {
            // FORM2 (QEMU's spapr_numa.c), one NUMA node: one reference point, the node lookup
            // table and the 1x1 distance table (local distance 10)
            n.setCells("ibm,max-associativity-domains", 1, 1);
            n.setCells("ibm,associativity-reference-points", 1);
            n.set("ibm,numa-distance-table", new byte[] {0, 0, 0, 1, 10});
            n.setCells("ibm,numa-lookup-index-table", 1, 0);
        } else {
            n.setCells("ibm,max-associativity-domains", 4, 0, 0, 0, 1);
            n.setCells("ibm,associativity-reference-points", 4, 4, 2);
        }
        n.setString("qemu,hypertas-functions", "hcall-memop1");
        n.setString("ibm,hypertas-functions", "hcall-pft", "hcall-term", "hcall-dabr", "hcall-interrupt",
            "hcall-tce", "hcall-vio", "hcall-splpar", "hcall-join", "hcall-bulk", "hcall-set-mode", "hcall-sprg0",
            "hcall-copy", "hcall-debug", "hcall-vphn", "hcall-multi-tce", "hcall-hpt-resize", "hcall-watchdog");
    }

    /**
     * QEMU's RTAS blob size: the 20-byte entry stub, the 2 KiB error log, and per possible vCPU
     * two 64-bit FWNMI save slots, plus one more 64-bit word (0x82c with 1 vCPU, 0x85c with 4).
     */
    public static long rtasSize(int maxCpus) {
        return 20 + 0x800 + maxCpus * 16L + 8;
    }

    private void writeCpus(DtNode n) {
        drcs.writeProperties(n, null, DrcKind.CPU);
        n.setCells("#size-cells", 0);
        n.setCells("#address-cells", 1);
        // one node per core, named and numbered by its first thread's vCPU id (spapr_dt_cpus);
        // the servers list every thread's id, the gservers pair each with group 0
        int threads = topology.threads();
        for (VCpu c : cpus) {
            if (!topology.isThread0(c)) {
                continue;
            }
            long[] servers = new long[threads];
            long[] gservers = new long[2 * threads];
            for (int t = 0; t < threads; t++) {
                servers[t] = c.vcpuId() + t;
                gservers[2 * t] = c.vcpuId() + t;
            }
            DtNode cn = n.addChild("PowerPC,POWER9@" + Integer.toHexString(c.vcpuId()));
            cn.setCells("ibm,dec-bits", 0x38);
            cn.setCells("ibm,processor-radix-AP-encodings", 0x0c, 0xa0000010L, 0x20000015, 0x4000001e);
            cn.setCells("ibm,ppc-interrupt-gserver#s", gservers);
            cn.setCells("ibm,ppc-interrupt-server#s", servers);
            cn.setCells("ibm,pft-size", 0, 0x17);
            cn.setCells("ibm,chip-id", 0);
            // feature byte 40 (array byte 42) is radix: hidden from a guest without ISA 3.00 in vector 1
            cn.setCells("ibm,pa-features", 0x4200f63fL, 0xc7c080f0L, 0x80000000L, 0, 0x8000, 0x80008000L, 0x8000,
                0x80008000L, 0x80008000L, 0xc0008000L, cas.preIsa3Guest() ? 0x80000000L : 0x80008000L, 0x80008000L,
                0x80008000L, 0x80008000L, 0x80008000L, 0x80008000L, 0x80000000L);
            cn.setCells("ibm,segment-page-sizes", 0x0c, 0, 1, 0x0c, 0, 0x10, 0x110, 1, 0x10, 1);
            cn.setCells("ibm,dfp", 1);
            cn.setCells("ibm,vmx", 2);
            cn.setCells("ibm,processor-segment-sizes", 0x1c, 0x28, 0xffffffffL, 0xffffffffL);
            cn.setCells("ibm,spurr", 1);
            cn.setCells("ibm,purr", 1);
            cn.setEmpty("64-bit");
            cn.setString("status", "okay");
            cn.setCells("ibm,slb-size", 0x20);
            cn.setCells("slb-size", 0x20);
            cn.setCells("clock-frequency", 0x3b9aca00);
            cn.setCells("timebase-frequency", 0x1e848000);
            cn.setCells("i-cache-size", 0x8000);
            cn.setCells("d-cache-size", 0x8000);
            cn.setCells("i-cache-line-size", 0x80);
            cn.setCells("i-cache-block-size", 0x80);
            cn.setCells("d-cache-line-size", 0x80);
            cn.setCells("d-cache-block-size", 0x80);
            cn.setCells("cpu-version", cas.cpuVersion());
            cn.setString("device_type", "cpu");
            cn.setCells("reg", c.vcpuId());
            cn.setCells("ibm,my-drc-index", 0x10000000L + c.vcpuId());
        }
    }
}
