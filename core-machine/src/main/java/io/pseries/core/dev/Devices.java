package io.pseries.core.dev;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.PciBridge;
import io.pseries.core.dev.pci.PciDevice;
import io.pseries.core.dev.pci.SpaprPhb;
import io.pseries.core.dev.pci.VirtioPci;
import io.pseries.core.util.Suggest;

/**
 * Creates devices from their configuration, checking types, options and addresses. VIO devices
 * become machine devices; PCI devices are plugged into the host bridge.
 */
public final class Devices {
    /** Every device type a configuration may name. */
    public static final Set<String> TYPES = new TreeSet<>(List.of("spapr-vty", "spapr-vlan", "spapr-nvram",
        "virtio-net-pci", "virtio-blk-pci", "pci-bridge", "vfio-pci"));

    private static final Set<String> PCI_OPTIONS = Set.of("id", "bus", "addr");
    private static final Set<String> VIRTIO_OPTIONS = Set.of("id", "bus", "addr", "vectors", "msi");
    private static final Set<String> VFIO_OPTIONS = Set.of("id", "bus", "addr", "host");

    private Devices() {
    }

    /** The machine's own NVRAM: QEMU's spapr_machine_init always creates one. */
    static final MachineConfig.DeviceConfig MACHINE_NVRAM = MachineConfig.DeviceConfig.of("spapr-nvram");

    /**
     * Creates the VIO devices (returned) and plugs the PCI ones into {@code phb}, in configuration
     * order, with the machine's NVRAM after the leading consoles: QEMU creates the {@code -serial}
     * consoles, then the NVRAM, then the {@code -device}s, so with a console first the NVRAM is
     * 0x71000001 (IRQ 0x1101) and the next VIO device 0x71000002.
     */
    public static List<Device> create(List<MachineConfig.DeviceConfig> configs, SpaprPhb phb) {
        return create(configs, phb, null);
    }

    /** The same, with the physical host whose functions {@code vfio-pci} devices name. */
    public static List<Device> create(List<MachineConfig.DeviceConfig> configs, SpaprPhb phb,
                                      io.pseries.core.host.pt.PhysicalHost physical) {
        List<MachineConfig.DeviceConfig> all = new ArrayList<>();
        boolean placed = false;
        for (int i = 0; i < configs.size(); i++) {
            MachineConfig.DeviceConfig c = configs.get(i);
            if (c.type().equals("spapr-nvram")) {
                throw new IllegalArgumentException("invalid machine option devices[" + i + "]: spapr-nvram is always"
                    + " present (the machine's own, after the consoles); QEMU 7.2 aborts on a second one"
                    + " (nvram-fetch would be registered twice), so leave it out");
            }
            if (!placed && !c.type().equals("spapr-vty")) {
                all.add(MACHINE_NVRAM);
                placed = true;
            }
            all.add(c);
        }
        if (!placed) {
            all.add(MACHINE_NVRAM);
        }
        return createAll(all, phb, physical);
    }

    private static List<Device> createAll(List<MachineConfig.DeviceConfig> configs, SpaprPhb phb,
                                          io.pseries.core.host.pt.PhysicalHost physical) {
        List<Device> out = new ArrayList<>();
        Set<Long> vioRegs = new HashSet<>();
        Map<Long, String> vioByReg = new java.util.HashMap<>();
        Map<Integer, String> vioByIrq = new java.util.HashMap<>();
        Map<String, String> ids = new java.util.HashMap<>();   // id -> "devices[i]" (+ " as its default id")
        long nextReg = VioDevice.REG_BASE;
        int vlans = 0;
        int index = 0;
        Map<String, Integer> perType = new java.util.HashMap<>();
        for (MachineConfig.DeviceConfig c : configs) {
            String where = c == MACHINE_NVRAM ? "the machine's spapr-nvram" : "devices[" + index + "]";
            if (!TYPES.contains(c.type())) {
                throw new IllegalArgumentException("invalid machine option " + where + ".type: '" + c.type()
                    + "'" + Suggest.didYouMean(c.type(), TYPES) + "; valid types: " + String.join(", ", TYPES));
            }
            Object idOpt = c.options().get("id");
            if (idOpt != null && !(idOpt instanceof String)) {
                throw new IllegalArgumentException("invalid machine option " + where + ".id: " + idOpt + "; expected a string");
            }
            if (idOpt != null && ids.containsKey((String) idOpt)) {
                throw new IllegalArgumentException("invalid machine option " + where + ".id: '" + idOpt + "' is used twice ("
                    + ids.get((String) idOpt) + " has it)");
            }
            if (idOpt != null) {
                ids.put((String) idOpt, where);
            }
            switch (c.type()) {
                case "virtio-net-pci", "virtio-blk-pci", "pci-bridge", "vfio-pci" -> {
                    boolean bridge = c.type().equals("pci-bridge");
                    boolean vfio = c.type().equals("vfio-pci");
                    check(where, c, bridge ? PCI_OPTIONS : vfio ? VFIO_OPTIONS : VIRTIO_OPTIONS);
                    int n = perType.merge(c.type(), 1, Integer::sum) - 1;
                    String id = idOpt != null ? (String) idOpt : c.type().replace("-pci", "") + n;
                    if (idOpt == null) {
                        if (ids.containsKey(id)) {
                            throw new IllegalArgumentException("invalid machine option " + where + ": its default id '" + id
                                + "' is used twice (" + ids.get(id) + " has it); give " + where + " an explicit id");
                        }
                        ids.put(id, where + " as its default id");
                    }
                    PciDevice d;
                    if (bridge) {
                        d = new PciBridge(id);
                    } else if (vfio) {
                        d = new io.pseries.core.dev.pci.VfioPciDevice(id, hostFunction(where, c, physical));
                    } else {
                        boolean net = c.type().equals("virtio-net-pci");
                        String key = c.options().containsKey("vectors") ? "vectors" : "msi";
                        Object v = c.options().get(key);
                        int vectors = v == null ? (net ? 4 : 0) : (int) MachineConfig.integer(where + "." + key, v, 0, 2048);
                        d = new VirtioPci(net, id, vectors);
                    }
                    Object bus = c.options().get("bus");
                    if (bus != null && !(bus instanceof String)) {
                        throw new IllegalArgumentException("invalid machine option " + where + ".bus: " + bus
                            + "; expected the id of a pci-bridge, or 'pci.0'");
                    }
                    Object addr = c.options().get("addr");
                    Integer slot = addr == null ? null : (int) MachineConfig.integer(where + ".addr", addr, 0, SpaprPhb.PCI_SLOTS - 1);
                    phb.plug(d, (String) bus, slot);
                }
                default -> {
                    while (vioRegs.contains(nextReg)) {
                        nextReg++;
                    }
                    VioDevice d = VioDevice.create(c, nextReg, c.type().equals("spapr-vlan") ? vlans++ : 0);
                    String self = String.format("%s (%s, reg 0x%x)", where, c.type(), d.reg());
                    if (!vioRegs.add(d.reg())) {
                        throw new IllegalArgumentException("invalid machine option " + self + ": the reg is already "
                            + vioByReg.get(d.reg()) + "'s");
                    }
                    // QEMU derives a VIO device's interrupt from the low bits of its reg: two regs can share one
                    String other = vioByIrq.putIfAbsent(d.irq(), self);
                    if (other != null) {
                        throw new IllegalArgumentException(String.format("invalid machine option %s: its interrupt 0x%x"
                            + " (from the reg's low byte) is already %s's; give one of them another reg", self, d.irq(), other));
                    }
                    vioByReg.put(d.reg(), self);
                    if (d.reg() == nextReg) {
                        nextReg++;
                    }
                    out.add(d);
                }
            }
            if (c != MACHINE_NVRAM) {
                index++;
            }
        }
        return out;
    }

    /** The host function a vfio-pci device names, with QEMU's message for one the host does not have. */
    private static io.pseries.core.host.pt.HostPciFunction hostFunction(String where, MachineConfig.DeviceConfig c,
                                                                         io.pseries.core.host.pt.PhysicalHost physical) {
        Object h = c.options().get("host");
        if (!(h instanceof String addr)) {
            throw new IllegalArgumentException("invalid machine option " + where + ".host: " + (h == null ? "missing" : h)
                + "; expected the host PCI address of a function of pseries.host({ pci: [...] }), such as '0000:01:00.0'");
        }
        io.pseries.core.host.pt.HostPciFunction f = physical == null ? null : physical.function(addr);
        if (f == null) {
            List<String> known = physical == null ? List.of()
                : physical.functions().stream().map(io.pseries.core.host.pt.HostPciFunction::addr).toList();
            throw new IllegalArgumentException("vfio " + addr + ": no such host device: /sys/bus/pci/devices/" + addr + "/"
                + " (" + where + "; the host's functions: " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
        }
        return f;
    }

    private static void check(String where, MachineConfig.DeviceConfig c, Set<String> valid) {
        for (Map.Entry<String, Object> e : c.options().entrySet()) {
            if (!valid.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown option '" + e.getKey() + "' for device " + c.type() + " (" + where + ")"
                    + Suggest.didYouMean(e.getKey(), valid) + "; valid options: " + String.join(", ", new TreeSet<>(valid)));
            }
        }
    }
}
