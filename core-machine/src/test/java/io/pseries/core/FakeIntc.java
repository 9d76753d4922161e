package io.pseries.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;
import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.intc.InterruptControllerProvider;

/**
 * A minimal interrupt controller for core tests: core-machine has no controller plugin, so the
 * machine-level tests build {@code new Machine(config, FakeIntc.providers(...))}.
 *
 * <p>It records what the machine asks of it ({@link #log}) and writes a device-tree node shaped
 * like QEMU's: the XIVE-like one ({@link CasRole#EXPLOITATION}) as {@code spapr_xive_dt}, the
 * XICS-like one ({@link CasRole#LEGACY}) as {@code xics_spapr_dt} (xive-facts.md section 10).
 * It serves no hcall, RTAS call or MMIO.
 */
public final class FakeIntc implements InterruptController {

    /** Provider under the name {@code name} ("xive" or "xics" make dual mode available). */
    public record Provider(String name, CasRole casRole) implements InterruptControllerProvider {
        @Override
        public InterruptController create(IntcHost host) {
            return new FakeIntc(name, casRole, host);
        }
    }

    public static final Provider XIVE = new Provider("xive", CasRole.EXPLOITATION);
    public static final Provider XICS = new Provider("xics", CasRole.LEGACY);

    /** Both fake providers: "xics", "xive" and "dual" are valid ic-modes. */
    public static List<InterruptControllerProvider> both() {
        return List.of(XICS, XIVE);
    }

    /** A machine with both fake controllers. */
    public static Machine machine(MachineConfig config) {
        return new Machine(config, both());
    }

    /** A dual-mode machine with {@code cpus} vCPUs and the default devices. */
    public static Machine machine(int cpus, String icMode) {
        return machine(MachineConfig.builder().cpus(cpus).icMode(icMode).build());
    }

    /** The fake controller of that name in the machine. */
    public static FakeIntc of(Machine m, String name) {
        return (FakeIntc) m.controller(name);
    }

    private final String name;
    private final CasRole role;
    private final IntcHost host;
    /** Everything the machine asked, in order: "claim 0x1000 msi", "setIrq 0x1100 1", "activate", ... */
    public final List<String> log = new ArrayList<>();
    /** Claimed numbers and whether they are LSIs. */
    public final Map<Integer, Boolean> claims = new LinkedHashMap<>();
    /** vCPUs announced through {@link #cpuCreated}. */
    public final List<Integer> cpus = new ArrayList<>();
    public int activations;
    public int deactivations;
    public int resets;

    private FakeIntc(String name, CasRole role, IntcHost host) {
        this.name = name;
        this.role = role;
        this.host = host;
    }

    public IntcHost host() {
        return host;
    }

    /** The log entries starting with {@code prefix}. */
    public List<String> logged(String prefix) {
        return log.stream().filter(s -> s.startsWith(prefix)).toList();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CasRole casRole() {
        return role;
    }

    @Override
    public void cpuCreated(VCpu cpu) {
        cpus.add(cpu.index());
        log.add("cpu " + cpu.index());
    }

    @Override
    public void claim(int irq, boolean lsi) {
        claims.put(irq, lsi);
        log.add(String.format("claim 0x%x %s", irq, lsi ? "lsi" : "msi"));
    }

    @Override
    public void free(int irq) {
        claims.remove(irq);
        log.add(String.format("free 0x%x", irq));
    }

    @Override
    public void reset() {
        resets++;
        log.add("reset");
    }

    @Override
    public void activate() {
        activations++;
        log.add("activate");
    }

    @Override
    public void deactivate() {
        deactivations++;
        log.add("deactivate");
    }

    @Override
    public void setIrq(int irq, boolean level) {
        log.add(String.format("setIrq 0x%x %d", irq, level ? 1 : 0));
    }

    @Override
    public void writeDeviceTree(DtNode root, int nrServers, int phandle) {
        if (role == CasRole.EXPLOITATION) {
            // spapr_xive_dt: TIMA user page then OS page, as QEMU 7.2 (qemu-dt/xive_smp4.dts)
            long tmBase = 0x6030203180000L;
            DtNode n = root.addChild(String.format("interrupt-controller@%x", tmBase + 3 * 0x10000L));
            n.setCells("phandle", phandle);
            n.setCells("linux,phandle", phandle);
            n.setCells("#interrupt-cells", 2);
            n.setEmpty("interrupt-controller");
            n.setCells("ibm,xive-lisn-ranges", 0, nrServers);
            n.setCells("ibm,xive-eq-sizes", 16);
            n.setString("compatible", "ibm,power-ivpe");
            n.setU64s("reg", tmBase + 3 * 0x10000L, 0x10000, tmBase + 2 * 0x10000L, 0x10000);
            n.setString("device_type", "power-ivpe");
        } else {
            DtNode n = root.addChild("interrupt-controller");
            n.setCells("phandle", phandle);
            n.setCells("linux,phandle", phandle);
            n.setCells("#interrupt-cells", 2);
            n.setCells("ibm,interrupt-server-ranges", 0, nrServers);
            n.setEmpty("interrupt-controller");
            n.setString("device_type", "PowerPC-External-Interrupt-Presentation");
            n.setString("compatible", "IBM,ppc-xicp");
        }
    }

    @Override
    public Map<String, Object> pic() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("claimed", new ArrayList<>(claims.keySet()));
        return m;
    }

    @Override
    public String picText() {
        return name + " " + claims.keySet();
    }
}
