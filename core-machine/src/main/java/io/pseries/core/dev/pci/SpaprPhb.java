package io.pseries.core.dev.pci;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.Device;
import io.pseries.core.dev.DeviceHost;
import io.pseries.core.dt.DtNode;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;

/**
 * The sPAPR PCI host bridge (QEMU's spapr-pci-host-bridge, index 0): its four LSIs
 * (0x1200-0x1203, INTA..INTD, swizzled by slot), MSI/MSI-X allocation through RTAS
 * {@code ibm,change-msi} and {@code ibm,query-interrupt-source-number} from the MSI range
 * (0x1300 up), the MSI window devices write to, configuration-space RTAS calls, and the EEH
 * calls (EEH is not available for emulated devices: QEMU answers -3).
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

    static final int RTAS_CHANGE_FN = 1;
    static final int RTAS_RESET_FN = 2;
    static final int RTAS_CHANGE_MSI_FN = 3;
    static final int RTAS_CHANGE_MSIX_FN = 4;
    static final int RTAS_TYPE_MSI = 1;
    static final int RTAS_TYPE_MSIX = 2;

    private final int index;
    private final PciBus root = new PciBus(0, null);
    private final List<PciDevice> devices = new ArrayList<>();
    private final List<PciBus> buses = new ArrayList<>(List.of(root));
    private final IrqLine[] lsis = new IrqLine[PINS];
    private final int[] lsiAsserters = new int[PINS];
    private DeviceHost host;
    private PhbDmaWindows dma;
    private io.pseries.core.drc.DrcTable drcs;

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
        MmioRegion msiWindow = new MmioRegion("pci.msi", MSI_WINDOW, MSI_WINDOW_SIZE, new MmioHandler() {
            @Override
            public long read(VCpu cpu, long offset, int size) {
                m.trace().guestError(cpu.index(), "load from the MSI window (it only takes stores)", "offset", offset);
                return -1;
            }

            @Override
            public void write(VCpu cpu, long offset, int size, long value) {
                msiWrite(cpu, size, value);
            }
        });
        m.mmio().map(msiWindow);
        registerRtas(m.rtas());
        dma = new PhbDmaWindows(this, m.memory().size());
        dma.register(m.rtas());
        for (PciDevice d : devices) {
            d.realize(m);
        }
    }

    /** A store to the MSI window: the data (little-endian, as PCI) is the interrupt number to pulse. */
    private void msiWrite(VCpu cpu, int size, long value) {
        long le = Long.reverseBytes(value) >>> (64 - 8 * size);
        int irq = (int) le;
        if (!host.irqSpace().isClaimed(irq)) {
            host.trace().guestError(cpu.index(), String.format("MSI write for unclaimed interrupt 0x%x", irq), "irq", irq);
            return;
        }
        host.irq(irq).pulse();
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
            releaseMsis(d);
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

    void releaseMsis(PciDevice d) {
        if (d.msiCount() > 0) {
            for (int i = 0; i < d.msiCount(); i++) {
                host.freeIrq(d.msiFirst() + i);
            }
            host.irqSpace().freeMsi(d.msiFirst(), d.msiCount());
            d.setMsis(0, 0);
        }
    }

    // ------------------------------------------------------------------ RTAS

    private static long arg(RtasCall c, int i) {
        return i < c.nargs() ? c.arg(i) : 0;
    }

    private SpaprPhb phbFor(RtasCall c, int hiArg) {
        long buid = (arg(c, hiArg) << 32) | arg(c, hiArg + 1);
        return buid == buid() ? this : null;
    }

    private void registerRtas(RtasTable t) {
        t.register("ibm,change-msi", 4, this::changeMsi);
        t.register("ibm,query-interrupt-source-number", 3, this::querySourceNumber);
        t.register("ibm,read-pci-config", 2, c -> {
            if (c.nargs() != 4 || c.nret() != 2) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            readConfig(c, phbFor(c, 1), (int) c.arg(0), (int) c.arg(3));
        });
        t.register("read-pci-config", 2, c -> {
            if (c.nargs() != 2 || c.nret() != 2) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            // as QEMU: the calls without a BUID look up BUID 0, which no host bridge has, so they find no device
            readConfig(c, buid() == 0 ? this : null, (int) c.arg(0), (int) c.arg(1));
        });
        t.register("ibm,write-pci-config", 1, c -> {
            if (c.nargs() != 5 || c.nret() != 1) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            writeConfig(c, phbFor(c, 1), (int) c.arg(0), (int) c.arg(3), (int) c.arg(4));
        });
        t.register("write-pci-config", 1, c -> {
            if (c.nargs() != 3 || c.nret() != 1) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            writeConfig(c, buid() == 0 ? this : null, (int) c.arg(0), (int) c.arg(1), (int) c.arg(2));
        });
        // EEH: available only for VFIO devices on QEMU; for emulated PHBs every call is a parameter error
        eeh(t, "ibm,set-eeh-option", 4, 1);
        eeh(t, "ibm,get-config-addr-info2", 4, 2);
        eeh(t, "ibm,read-slot-reset-state2", 3, 4);
        eeh(t, "ibm,set-slot-reset", 4, 1);
        eeh(t, "ibm,configure-pe", 3, 1);
        eeh(t, "ibm,slot-error-detail", 8, 1);
    }

    private void eeh(RtasTable t, String name, int nargs, int nret) {
        t.register(name, nret, c -> {
            boolean nretOk = c.nret() == nret || (name.equals("ibm,read-slot-reset-state2") && c.nret() == 5);
            // argument counts, then the PHB, then "EEH not available" all answer -3
            c.status(RtasStatus.PARAM_ERROR);
            if (c.nargs() == nargs && nretOk && phbFor(c, 1) != null) {
                host.trace().emit(io.pseries.core.trace.TraceCategory.UNIMPLEMENTED, c.cpu().index(), "rtas",
                    "message", name + ": EEH is not available on emulated devices");
            }
        });
    }

    private static int cfgRegister(int addr) {
        return ((addr >> 20) & 0xf00) | (addr & 0xff);
    }

    /**
     * The device a config access reaches, or null after answering HW_ERROR: the size must be 1, 2
     * or 4, the device must exist, and the register must be naturally aligned and below 256.
     */
    private static PciDevice configTarget(RtasCall c, SpaprPhb phb, int addr, int size) {
        boolean badSize = size != 1 && size != 2 && size != 4;
        PciDevice d = badSize || phb == null ? null : phb.deviceAt(addr);
        int reg = cfgRegister(addr);
        if (d == null || reg % size != 0 || reg >= 256) {
            c.status(RtasStatus.HW_ERROR);
            return null;
        }
        return d;
    }

    private void readConfig(RtasCall c, SpaprPhb phb, int addr, int size) {
        PciDevice d = configTarget(c, phb, addr, size);
        if (d != null) {
            c.status(RtasStatus.SUCCESS);
            c.ret(1, d.configRead(cfgRegister(addr), size) & 0xffff_ffffL);
        }
    }

    private void writeConfig(RtasCall c, SpaprPhb phb, int addr, int size, int value) {
        PciDevice d = configTarget(c, phb, addr, size);
        if (d == null) {
            return;
        }
        d.configWrite(cfgRegister(addr), size, value);
        c.status(RtasStatus.SUCCESS);
    }

    /**
     * ibm,change-msi(config addr, BUID hi, BUID lo, function, requested, sequence): function 1
     * picks MSI or MSI-X as the device has, 3 asks MSI, 4 MSI-X; 0 vectors releases. Answers
     * (status, number granted, sequence + 1, type when nret > 3).
     */
    private void changeMsi(RtasCall c) {
        long cfg = arg(c, 0);
        int func = (int) arg(c, 3);
        int req = (int) arg(c, 4);
        int seq = (int) arg(c, 5);
        SpaprPhb phb = phbFor(c, 1);
        PciDevice d = phb == null ? null : phb.deviceAt(cfg);
        if (d == null) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        int type;
        switch (func) {
            case RTAS_CHANGE_FN -> {
                if (d.msiVectors() > 0) {
                    type = RTAS_TYPE_MSI;
                } else if (d.msixEntries() > 0) {
                    type = RTAS_TYPE_MSIX;
                } else {
                    c.status(RtasStatus.PARAM_ERROR);
                    return;
                }
            }
            case RTAS_CHANGE_MSI_FN -> {
                if (d.msiVectors() == 0) {
                    c.status(RtasStatus.PARAM_ERROR);
                    return;
                }
                type = RTAS_TYPE_MSI;
            }
            case RTAS_CHANGE_MSIX_FN -> {
                if (d.msixEntries() == 0) {
                    c.status(RtasStatus.PARAM_ERROR);
                    return;
                }
                type = RTAS_TYPE_MSIX;
            }
            default -> {
                host.trace().guestError(c.cpu().index(), "rtas_ibm_change_msi(" + func + ") is not implemented");
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
        }
        if (req == 0) {
            if (d.msiCount() == 0) {
                // QEMU traces "Releasing wrong config" and answers a hardware error
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            setMessages(d, type, 0, 0, d.msiCount());
            releaseMsis(d);
            c.status(RtasStatus.SUCCESS);
            c.ret(1, 0);
            return;
        }
        int max = type == RTAS_TYPE_MSI ? d.msiVectors() : d.msixEntries();
        if (Integer.compareUnsigned(req, max) > 0) {
            // too many: the answer is how many the device has, and nothing is allocated
            answerChangeMsi(c, max, seq, type);
            return;
        }
        if (type == RTAS_TYPE_MSI && Integer.bitCount(req) != 1) {
            // QEMU asserts here; a model reports it
            host.trace().guestError(c.cpu().index(), "MSI vector count " + req + " is not a power of two");
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        int first;
        try {
            // What QEMU 7.2 does, not what it meant: it asks for alignment with a bool (true for MSI)
            // and turns it into a bitmap mask by subtracting one, so MSI blocks get no alignment
            // and MSI-X blocks start on an even number. A guest sees these numbers.
            first = host.irqSpace().allocMsi(req, type == RTAS_TYPE_MSIX ? 2 : 1);
        } catch (IllegalStateException | IllegalArgumentException e) {
            host.trace().guestError(c.cpu().index(), "Can't allocate MSIs for device " + Long.toHexString(cfg) + ": " + e.getMessage());
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        for (int i = 0; i < req; i++) {
            claimMsi(d, type, first, i);
        }
        releaseMsis(d);
        d.setMsis(first, req);
        d.msiType = type;
        setMessages(d, type, MSI_WINDOW, first, req);
        answerChangeMsi(c, req, seq, type);
    }

    /** Claims vector {@code i} of an allocation (ibm,change-msi, or a restore re-making it). */
    io.pseries.core.irq.IrqLine claimMsi(PciDevice d, int type, int first, int i) {
        io.pseries.core.irq.IrqLine l = host.claimIrq(first + i, false, d.id() + " (" + d.type() + ") MSI"
            + (type == RTAS_TYPE_MSIX ? "-X " : " ") + i);
        host.setLineOwner(first + i, this);
        return l;
    }

    /**
     * Firmware programs the granted vectors' messages in an MSI-X table (QEMU's spapr_msi_setmsg):
     * the MSI window and data first, first + 1, ...; a release writes address 0, data 0.
     */
    private static void setMessages(PciDevice d, int type, long address, int first, int n) {
        MsixCapability x = d.msixCapability();
        if (type != RTAS_TYPE_MSIX || x == null) {
            return;
        }
        int data = first;
        for (int i = 0; i < n && i < x.entries(); i++) {
            x.setMessage(i, address, data);
            if (address != 0) {
                data++;
            }
        }
    }

    private static void answerChangeMsi(RtasCall c, int num, int seq, int type) {
        c.status(RtasStatus.SUCCESS);
        c.ret(1, num);
        c.ret(2, seq + 1);
        if (c.nret() > 3) {
            c.ret(3, type);
        }
    }

    /** ibm,query-interrupt-source-number(config addr, BUID hi, BUID lo, vector) -> (status, irq, 1 = edge). */
    private void querySourceNumber(RtasCall c) {
        long cfg = arg(c, 0);
        long k = arg(c, 3);
        SpaprPhb phb = phbFor(c, 1);
        PciDevice d = phb == null ? null : phb.deviceAt(cfg);
        if (d == null) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        if (d.msiCount() == 0 || k >= d.msiCount()) {
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        c.status(RtasStatus.SUCCESS);
        c.ret(1, d.msiFirst() + k);
        c.ret(2, 1);
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
