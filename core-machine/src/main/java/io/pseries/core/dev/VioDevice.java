package io.pseries.core.dev;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pseries.core.MachineConfig;
import io.pseries.core.dt.DtNode;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.util.Suggest;

/**
 * A PAPR virtual I/O device on the {@code /vdevice} bus: the console ({@code spapr-vty}), the
 * virtual Ethernet ({@code spapr-vlan}) and the NVRAM ({@code spapr-nvram}). Each has a
 * {@code reg} (allocated from 0x71000000 in creation order unless given) and one
 * message-signalled interrupt numbered from its reg as QEMU does (spapr_vio_reg_to_irq).
 */
public final class VioDevice extends Device {
    public static final long REG_BASE = 0x71000000L;

    private final long reg;
    private final String nodeName;
    private final String compatible;
    private final String deviceType;
    private final byte[] mac;
    private final int irq;
    private IrqLine line;
    private boolean dmaBypass;

    private VioDevice(String type, long reg, byte[] mac) {
        super(type);
        this.reg = reg;
        this.mac = mac;
        switch (type) {
            case "spapr-vty" -> {
                nodeName = "vty";
                compatible = "hvterm1";
                deviceType = "serial";
            }
            case "spapr-vlan" -> {
                nodeName = "l-lan";
                compatible = "IBM,l-lan";
                deviceType = "network";
            }
            case "spapr-nvram" -> {
                nodeName = "nvram";
                compatible = "qemu,spapr-nvram";
                deviceType = "nvram";
            }
            default -> throw new IllegalArgumentException("not a VIO device type: " + type);
        }
        this.irq = SpaprIrq.VIO | regToIrqIndex(reg);
    }

    /** The option names each VIO type accepts. */
    static final Set<String> OPTIONS_VTY = Set.of("reg", "id");
    static final Set<String> OPTIONS_VLAN = Set.of("reg", "id", "mac");

    /** Builds a VIO device from its configuration; {@code autoReg} is the next free reg. */
    public static VioDevice create(MachineConfig.DeviceConfig cfg, long autoReg, int vlanIndex) {
        Set<String> valid = cfg.type().equals("spapr-vlan") ? OPTIONS_VLAN : OPTIONS_VTY;
        for (String k : cfg.options().keySet()) {
            if (!valid.contains(k)) {
                throw new IllegalArgumentException("unknown option '" + k + "' for device " + cfg.type()
                    + Suggest.didYouMean(k, valid) + "; valid options: " + String.join(", ", new java.util.TreeSet<>(valid)));
            }
        }
        long reg = autoReg;
        Object r = cfg.options().get("reg");
        if (r != null) {
            reg = MachineConfig.integer(cfg.type() + ".reg", r, 0, 0xffff_ffffL);
        }
        byte[] mac = null;
        if (cfg.type().equals("spapr-vlan")) {
            Object m = cfg.options().get("mac");
            mac = m == null ? new byte[] {0x52, 0x54, 0, 0, 0, (byte) (1 + vlanIndex)} : parseMac(m);
        }
        return new VioDevice(cfg.type(), reg, mac);
    }

    private static byte[] parseMac(Object m) {
        if (m instanceof String s && s.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            byte[] b = new byte[6];
            String[] parts = s.split(":");
            for (int i = 0; i < 6; i++) {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            }
            return b;
        }
        throw new IllegalArgumentException("invalid spapr-vlan option mac: " + m + "; expected 'xx:xx:xx:xx:xx:xx'");
    }

    /** QEMU's mapping of a VIO reg to an index in the 256 VIO interrupt numbers. */
    static int regToIrqIndex(long reg) {
        if (reg >= REG_BASE) {
            return (int) (reg & 0xff);
        } else if (reg >= 0x30000000L) {
            return (int) (0xf0 | ((reg >> 12) & 0xf));
        }
        return (int) ((reg >> 12) & 0xff);
    }

    public long reg() {
        return reg;
    }

    /** Whether the device has a DMA window (a TCE table): only the virtual Ethernet. */
    public boolean hasDmaWindow() {
        return type().equals("spapr-vlan");
    }

    /** DMA bypass, set by ibm,set-tce-bypass and cleared by quiesce and reset. */
    public boolean dmaBypass() {
        return dmaBypass;
    }

    void setDmaBypass(boolean on) {
        dmaBypass = on && hasDmaWindow();
    }

    @Override
    public void reset() {
        dmaBypass = false;
        super.reset();
    }

    public int irq() {
        return irq;
    }

    public IrqLine line() {
        return line;
    }

    @Override
    public String name() {
        return nodeName + "@" + Long.toHexString(reg);
    }

    @Override
    public void realize(DeviceHost m) {
        line = m.claimIrq(irq, false, type() + " " + name());
    }

    @Override
    public List<IrqLine> lines() {
        return List.of(line);
    }

    @Override
    public void writeDeviceTree(DtNode root) {
        DtNode vdev = root.child("vdevice");
        DtNode n = vdev.addChild(name());
        if (type().equals("spapr-vlan")) {
            n.setCells("ibm,mac-address-filters", 0);
            n.set("local-mac-address", mac);
            n.setCells("ibm,my-dma-window", reg, 0, 0, 0, 0x10000000L);
            n.setCells("ibm,#dma-size-cells", 2);
            n.setCells("ibm,#dma-address-cells", 2);
        } else if (type().equals("spapr-nvram")) {
            n.setCells("#bytes", 0x10000);
        }
        n.setCells("interrupts", irq, 0);
        n.setString("compatible", compatible);
        n.setString("device_type", deviceType);
        n.setCells("reg", reg);
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type());
        m.put("name", name());
        m.put("reg", reg);
        m.put("irqs", List.of(irq));
        return m;
    }
}
