package io.pseries.core.dev.pci;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.dev.Device;
import io.pseries.core.dev.DeviceHost;
import io.pseries.core.dt.DtNode;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.rtas.RtasCall;

/**
 * The sPAPR PCI host bridge (QEMU's spapr-pci-host-bridge, index 0): its buses and slots, its
 * four LSIs (0x1200-0x1203, INTA..INTD, swizzled by slot) and its device-tree node. Its other
 * parts have their own classes: MSI/MSI-X allocation and the MSI window ({@link PhbMsi}), the
 * configuration-space and EEH RTAS calls ({@link PhbConfigRtas}), the DMA windows
 * ({@link PhbDmaWindows}).
 *
 * <pre>
 *  device INTx ──swizzle──► LSI (0x1200 + (pin + slot) % 4) ──► interrupt controller
 *  device MSI k ──► store to 0x40000000000 (data = irq) ──► pulse of irq (first + k)
 * </pre>
 */
public final class SpaprPhb extends Device {
    public static final long BUID_BASE = 0x800000020000000L;
    public static final long MSI_WINDOW = 0x40000000000L;
    public static final long MSI_WINDOW_SIZE = 1L << 16;
    /** The guest-physical address of PCI memory address 0 in the 32-bit window ({@code ranges}). */
    public static final long MEM32_CPU_BASE = 0x2000_0000_0000L;
    public static final int PCI_SLOTS = 32;
    public static final int PINS = 4;

    private final int index;
    private final PciBus root = new PciBus(0, null);
    private final List<PciDevice> devices = new ArrayList<>();
    private final List<PciBus> buses = new ArrayList<>(List.of(root));
    private final IrqLine[] lsis = new IrqLine[PINS];
    private final int[] lsiAsserters = new int[PINS];
    private DeviceHost host;
    private PhbDmaWindows dma;
    private io.pseries.core.drc.DrcTable drcs;
    private final PhbMsi msi = new PhbMsi(this);

    public SpaprPhb(int index) {
        super("spapr-pci-host-bridge");
        this.index = index;
    }

    /** The host bridge's index (QEMU's {@code index} property; 0 for the default PHB). */
    public int index() {
        return index;
    }

    /** The buses in creation order: the root bus, then each bridge's secondary bus as plugged. */
    public List<PciBus> buses() {
        return java.util.Collections.unmodifiableList(buses);
    }

    /** The machine's DR connectors, whose PCI slots this bridge's nodes list. */
    public void attachDrcs(io.pseries.core.drc.DrcTable t) {
        this.drcs = t;
    }

    /** Whether DMA window {@code i} (0: the default 32-bit one, 1: the dynamic 64-bit one) is enabled. */
    public boolean dmaWindowEnabled(int i) {
        return dma != null && dma.enabled(i);
    }

    public long buid() {
        return BUID_BASE + index;
    }

    @Override
    public String name() {
        return String.format("pci@%x", buid());
    }

    DeviceHost host() {
        return host;
    }

    /** The machine's claimed-number books (after realize). */
    public io.pseries.core.irq.IrqSpace irqSpace() {
        return host.irqSpace();
    }

    public PciBus rootBus() {
        return root;
    }

    /** The interrupt number of LSI {@code i} (0 = INTA). */
    public int lsi(int i) {
        return SpaprIrq.PCI_LSI + index * PINS + i;
    }

    public List<PciDevice> devices() {
        return List.copyOf(devices);
    }

    /** Devices on a bus, by slot. */
    public List<PciDevice> devicesOn(PciBus b) {
        return devices.stream().filter(d -> d.bus == b).sorted(Comparator.comparingInt(PciDevice::slot)).toList();
    }

    /** The device with this id, or null. */
    public PciDevice device(String id) {
        for (PciDevice d : devices) {
            if (d.id().equals(id)) {
                return d;
            }
        }
        return null;
    }

    /**
     * Plugs a device on the root bus or behind the bridge {@code busId}, at {@code slot} (or the
     * first free one when null). Throws naming what is wrong.
     */
    public void plug(PciDevice d, String busId, Integer slot) {
        PciBus b = root;
        if (busId != null && !busId.equals("pci.0")) {
            PciDevice br = device(busId);
            if (!(br instanceof PciBridge bridge)) {
                List<String> bridges = devices.stream().filter(x -> x instanceof PciBridge).map(PciDevice::id).toList();
                throw new IllegalArgumentException("device " + d.id() + ": bus '" + busId + "' is not a pci-bridge id"
                    + " (buses: pci.0" + (bridges.isEmpty() ? "" : ", " + String.join(", ", bridges)) + ")");
            }
            b = bridge.secondary();
        }
        int s;
        if (slot == null) {
            s = 0;
            while (slotUsed(b, s)) {
                s++;
            }
        } else {
            s = slot;
        }
        if (s < 0 || s >= PCI_SLOTS) {
            throw new IllegalArgumentException("device " + d.id() + ": PCI slot " + s + " is out of range 0.." + (PCI_SLOTS - 1)
                + (slot == null ? " (the bus is full)" : ""));
        }
        if (slotUsed(b, s)) {
            throw new IllegalArgumentException(String.format("device %s: PCI slot %02x.0 on bus %d is already used", d.id(), s, b.number()));
        }
        d.bus = b;
        d.slot = s;
        d.phb = this;
        devices.add(d);
        if (d instanceof PciBridge br) {
            PciBus sec = new PciBus(buses.size(), br);
            buses.add(sec);
            br.setSecondary(sec);
        }
    }

    private boolean slotUsed(PciBus b, int s) {
        for (PciDevice x : devices) {
            if (x.bus == b && x.slot == s) {
                return true;
            }
        }
        return false;
    }

    /** The device at an RTAS configuration address, or null. */
    public PciDevice deviceAt(long configAddress) {
        int busNr = (int) ((configAddress >> 16) & 0xff);
        int devfn = (int) ((configAddress >> 8) & 0xff);
        for (PciDevice d : devices) {
            if (d.bus.number() == busNr && d.devfn() == devfn) {
                return d;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ realize

    @Override
    public void realize(DeviceHost m) {
        this.host = m;
        for (int i = 0; i < PINS; i++) {
            lsis[i] = m.claimIrq(lsi(i), true, name() + " INT" + (char) ('A' + i));
            m.setLineOwner(lsi(i), this);
        }
        msi.realize(m);
        msi.register(m.rtas());
        new PhbConfigRtas(this).register(m.rtas());
        dma = new PhbDmaWindows(this, m.memory().size());
        dma.register(m.rtas());
        for (PciDevice d : devices) {
            d.realize(m);
        }
    }

    @Override
    public List<IrqLine> lines() {
        return List.of(lsis);
    }

    /** A device's INTx changed: the LSI is the OR of the devices wired to it. */
    void intxChanged(PciDevice d) {
        int i = d.phbLsiIndex();
        lsiAsserters[i] += d.intxAsserted() ? 1 : -1;
        lsis[i].set(lsiAsserters[i] > 0);
    }

    /**
     * The guest's handler for an LSI ran: level-triggered PCI devices drop INTx once their
     * driver has read the interrupt status (virtio's ISR read-to-clear).
     */
    @Override
    public void guestHandled(int irq) {
        int i = irq - lsi(0);
        if (i < 0 || i >= PINS) {
            return;
        }
        for (PciDevice d : devices) {
            if (d.intxPin() != 0 && d.intxAsserted() && d.phbLsiIndex() == i) {
                d.setIntx(false);
            }
        }
        // a level a script raised on the LSI itself stands for a device on that pin: serviced too
        if (lsiAsserters[i] == 0) {
            lsis[i].lower();
        }
    }

    /** PHB reset: every MSI the guest enabled is released, devices reset, LSIs low. */
    @Override
    public void reset() {
        for (PciDevice d : devices) {
            msi.release(d);
            d.reset();
        }
        java.util.Arrays.fill(lsiAsserters, 0);
        if (dma != null) {
            dma.reset();
        }
        super.reset();
    }

    /** The DMA windows (null before realize). */
    PhbDmaWindows dma() {
        return dma;
    }

    /** The devices' INTx levels changed under the bridge (a restore): the LSI counts follow them. */
    void recountIntx() {
        java.util.Arrays.fill(lsiAsserters, 0);
        for (PciDevice d : devices) {
            if (d.intxPin() != 0 && d.intxAsserted()) {
                lsiAsserters[d.phbLsiIndex()]++;
            }
        }
    }

    /** The bridge's MSI and MSI-X allocation and window. */
    PhbMsi msi() {
        return msi;
    }


    // ------------------------------------------------------------------ RTAS call arguments

    /** Argument {@code i} of an RTAS call, 0 when the caller passed fewer. */
    static long arg(RtasCall c, int i) {
        return i < c.nargs() ? c.arg(i) : 0;
    }

    /** This bridge when the call's BUID (arguments {@code hiArg}, {@code hiArg + 1}) is its own, else null. */
    SpaprPhb phbFor(RtasCall c, int hiArg) {
        long buid = (arg(c, hiArg) << 32) | arg(c, hiArg + 1);
        return buid == buid() ? this : null;
    }

    /** The device at configuration address {@code cfg} behind the call's BUID (arguments 1, 2), or null. */
    PciDevice deviceFor(RtasCall c, long cfg) {
        return phbFor(c, 1) == null ? null : deviceAt(cfg);
    }

    // ------------------------------------------------------------------ device tree

    @Override
    public void writeDeviceTree(DtNode tree) {
        DtNode n = tree.addChild(name());
        n.setCells("#size-cells", 2);
        n.setCells("#address-cells", 3);
        n.setCells("qemu,phb-enumerated", 1);
        n.setCells("ibm,my-drc-index", 0x20000000L + index);
        n.setCells("ibm,dma-window", 0x80000000L + index, 0, 0, 0, 0x40000000L);
        n.setCells("ibm,#dma-size-cells", 2);
        n.setCells("ibm,#dma-address-cells", 2);
        long[] map = new long[PCI_SLOTS * PINS * 7];
        int o = 0;
        for (int slot = 0; slot < PCI_SLOTS; slot++) {
            for (int pin = 0; pin < PINS; pin++) {
                map[o++] = (long) slot << 11;
                map[o++] = 0;
                map[o++] = 0;
                map[o++] = pin + 1;
                map[o++] = SpaprIrq.PHANDLE_INTC;
                map[o++] = lsi((pin + slot) % PINS);
                map[o++] = 1;
            }
        }
        n.setCells("interrupt-map", map);
        n.setCells("interrupt-map-mask", 0xf800, 0, 0, 0xffffffffL);
        if (dma != null) {
            dma.writeProperties(n, host.rtas());
        }
        n.setCells("ibm,pe-total-#msi", host == null ? SpaprIrq.NR_MSIS : host.irqSpace().nrMsis());
        n.setCells("ibm,pci-config-space-type", 1);
        n.setCells("reg", buid() >>> 32, buid() & 0xffff_ffffL, 0, 0);
        n.setCells("ranges", 0x1000000, 0, 0, 0x2000, 0, 0, 0x10000, 0x2000000, 0, 0x80000000L, 0x2000, 0x80000000L, 0,
            0x80000000L, 0x3000000, 0x2100, 0, 0x2100, 0, 0x100, 0);
        n.setCells("bus-range", 0, 0xff);
        n.setEmpty("used-by-rtas");
        n.setCells("#interrupt-cells", 1);
        n.setString("compatible", "IBM,Logical_PHB");
        n.setString("device_type", "pci");
        if (drcs != null) {
            drcs.writeProperties(n, root, io.pseries.core.drc.DrcKind.PCI);
        }
        writeBus(n, this.root);
    }

    private void writeBus(DtNode parent, PciBus b) {
        for (PciDevice d : devicesOn(b)) {
            DtNode dn = d.writeDeviceTree(parent);
            if (d instanceof PciBridge br) {
                if (drcs != null) {
                    drcs.writeProperties(dn, br.secondary(), io.pseries.core.drc.DrcKind.PCI);
                }
                writeBus(dn, br.secondary());
            }
        }
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type());
        m.put("name", name());
        m.put("buid", buid());
        List<Integer> irqs = new ArrayList<>();
        for (int i = 0; i < PINS; i++) {
            irqs.add(lsi(i));
        }
        m.put("irqs", irqs);
        List<Object> devs = new ArrayList<>();
        for (PciDevice d : devices) {
            devs.add(d.info());
        }
        m.put("pci", devs);
        return m;
    }
}
