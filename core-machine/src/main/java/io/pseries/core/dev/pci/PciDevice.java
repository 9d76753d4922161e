package io.pseries.core.dev.pci;

import java.util.LinkedHashMap;
import java.util.Map;

import io.pseries.core.dt.DtNode;

/**
 * A PCI function behind the sPAPR host bridge: its address (bus, slot, function), a 256-byte
 * configuration space (identity, class, interrupt pin; command register and interrupt line
 * writable), its interrupt capabilities (INTx pin, MSI vectors, MSI-X table size) and its
 * device-tree node.
 *
 * <p>Interrupts: INTx goes through the PHB's four LSIs (swizzled by slot at each bridge);
 * MSI/MSI-X vectors are the interrupt numbers the guest obtained with {@code ibm,change-msi},
 * and a device signals vector {@code k} as a pulse on {@code firstMsi + k}.
 */
public abstract class PciDevice {
    private final String type;
    private final String id;
    private final int vendor;
    private final int device;
    private final int classCode;
    private final int subsystemVendor;
    private final int subsystemId;
    private final int intxPin;
    private final byte[] config = new byte[256];
    PciBus bus;
    int slot;
    SpaprPhb phb;
    private int msiFirst;
    private int msiNum;
    /** What the guest's ibm,change-msi gave: 0 none, 1 MSI, 2 MSI-X (SpaprPhb's RTAS_TYPE_*). */
    int msiType;
    private boolean intxAsserted;
    private MsixCapability msix;

    protected PciDevice(String type, String id, int vendor, int device, int classCode, int subsystemVendor,
                        int subsystemId, int intxPin) {
        this.type = type;
        this.id = id;
        this.vendor = vendor;
        this.device = device;
        this.classCode = classCode;
        this.subsystemVendor = subsystemVendor;
        this.subsystemId = subsystemId;
        this.intxPin = intxPin;
        resetConfig();
    }

    public String type() {
        return type;
    }

    /** The user's id for the device, or a generated one. */
    public String id() {
        return id;
    }

    public PciBus bus() {
        return bus;
    }

    public int slot() {
        return slot;
    }

    /** devfn: slot << 3 | function (always function 0 here). */
    public int devfn() {
        return slot << 3;
    }

    /** The RTAS configuration address: bus << 16 | devfn << 8. */
    public int configAddress() {
        return (bus.number() << 16) | (devfn() << 8);
    }

    /** INTx pin: 1 = INTA .. 4 = INTD, 0 = none. */
    public int intxPin() {
        return intxPin;
    }

    /** MSI vectors the device can use (0: no MSI capability). */
    public abstract int msiVectors();

    /** MSI-X table entries (0: no MSI-X capability). */
    public abstract int msixEntries();

    /** Name of the device-tree node, before the unit address (ethernet, scsi, pci...). */
    protected abstract String nodeName();

    /** Extra device-tree properties (reg ranges, bridge cells, capabilities). */
    protected abstract void writeProperties(DtNode n);

    /** The device-tree unit name, e.g. {@code ethernet@0} or {@code scsi@3}. */
    public String unitName() {
        return nodeName() + "@" + Integer.toHexString(slot);
    }

    /** The PCI address as Linux prints it, e.g. {@code 0000:01:03.0}. */
    public String pciAddress() {
        return String.format("0000:%02x:%02x.0", bus.number(), slot);
    }

    /** Configuration space as after a reset (a device with BARs fills them in after this). */
    void resetConfig() {
        java.util.Arrays.fill(config, (byte) 0);
        put16(0x00, vendor);
        put16(0x02, device);
        config[0x09] = (byte) classCode;
        config[0x0a] = (byte) (classCode >> 8);
        config[0x0b] = (byte) (classCode >> 16);
        config[0x0e] = (byte) headerType();
        put16(0x2c, subsystemVendor);
        put16(0x2e, subsystemId);
        config[0x3d] = (byte) intxPin;
        if (msix != null) {
            // status: capabilities list; the list holds the MSI-X capability alone
            config[0x06] |= 0x10;
            config[0x34] = (byte) msix.offset();
        }
    }

    /** Gives the function an MSI-X capability (its constructor calls this once). */
    protected final void attachMsix(MsixCapability c) {
        msix = c;
        resetConfig();
    }

    /** A 32-bit little-endian value in configuration space (BARs as firmware assigned them). */
    final void setConfig32(int off, int v) {
        for (int i = 0; i < 4; i++) {
            config[off + i] = (byte) (v >>> (8 * i));
        }
    }

    /** The guest wrote MSI-X message control: the enable bit went from {@code wasEnabled} to {@code isEnabled}. */
    protected void msixControlWritten(boolean wasEnabled, boolean isEnabled) {
    }

    /** 0 for an endpoint, 1 for a PCI-to-PCI bridge. */
    protected int headerType() {
        return 0;
    }

    private void put16(int off, int v) {
        config[off] = (byte) v;
        config[off + 1] = (byte) (v >> 8);
    }

    /** A little-endian configuration-space read of 1, 2 or 4 bytes (the caller checked alignment). */
    public int configRead(int off, int size) {
        int v = 0;
        for (int i = size - 1; i >= 0; i--) {
            int a = off + i;
            int b = msix != null && msix.covers(a) ? msix.configByte(a, 0) : config[a] & 0xff;
            v = (v << 8) | b;
        }
        return v;
    }

    /**
     * A configuration-space write: the command register, the interrupt line and, with an MSI-X
     * capability, its function mask and enable bits (a write that covers message control's high
     * byte, as QEMU's msix_write_config takes it) change; BARs keep firmware's assignment.
     */
    public void configWrite(int off, int size, int value) {
        for (int i = 0; i < size; i++) {
            int a = off + i;
            if (a == 0x04 || a == 0x05 || a == 0x3c) {
                config[a] = (byte) (value >>> (8 * i));
            } else if (msix != null && a == msix.offset() + 3) {
                boolean was = msix.enabled();
                msix.writeControl(((value >>> (8 * i)) & 0xff) << 8);
                msixControlWritten(was, msix.enabled());
            }
        }
    }

    // ------------------------------------------------------------------ interrupts

    /** The MSI-X capability, or {@code null} (the emulated devices here present none). */
    public MsixCapability msixCapability() {
        return msix;
    }

    /** The MSI numbers the guest obtained: first and count (0 when none). */
    public int msiFirst() {
        return msiFirst;
    }

    public int msiCount() {
        return msiNum;
    }

    void setMsis(int first, int num) {
        boolean changed = first != msiFirst || num != msiNum;
        msiFirst = first;
        msiNum = num;
        if (num == 0) {
            msiType = 0;
        }
        if (changed) {
            msiChanged();
        }
    }

    /** The MSI numbers the guest holds changed ({@link #msiFirst()}, {@link #msiCount()}): a pass-through device re-arms. */
    protected void msiChanged() {
    }

    /** The PHB was realized on the machine: a device that needs the machine's host takes it here. */
    protected void realize(io.pseries.core.dev.DeviceHost host) {
    }

    /** Signals MSI/MSI-X vector {@code k}: a pulse on its interrupt number. */
    public void msi(int k) {
        if (k < 0 || k >= msiNum) {
            throw new IllegalStateException(String.format("%s (%s): MSI vector %d is not enabled (the guest enabled %d)",
                id, type, k, msiNum));
        }
        phb.host().irq(msiFirst + k).pulse();
    }

    public boolean intxAsserted() {
        return intxAsserted;
    }

    /** Drives the INTx wire. */
    public void setIntx(boolean level) {
        if (intxPin == 0) {
            throw new IllegalStateException(id + " (" + type + ") has no INTx pin");
        }
        if (level != intxAsserted) {
            intxAsserted = level;
            phb.intxChanged(this);
        }
    }

    /** The PHB LSI index (0..3) this device's INTx reaches, after swizzling through bridges. */
    public int phbLsiIndex() {
        int pin = intxPin - 1;
        PciBus b = bus;
        int s = slot;
        while (true) {
            pin = (pin + s) % 4;
            if (b.bridge() == null) {
                return pin;
            }
            s = b.bridge().slot();
            b = b.bridge().bus();
        }
    }

    void reset() {
        if (msix != null) {
            msix.reset();
        }
        resetConfig();
        setMsis(0, 0);
        intxAsserted = false;
    }

    // ------------------------------------------------------------------ snapshot state (PciRuntimeState)

    /** The command register (config 0x04, 16 bits). */
    int command() {
        return (config[0x04] & 0xff) | (config[0x05] & 0xff) << 8;
    }

    /** The interrupt line register (config 0x3c). */
    int interruptLine() {
        return config[0x3c] & 0xff;
    }

    /** Installs the registers the guest writes and the INTx level (the PHB re-derives its LSI counts). */
    void restoreRegisters(int command, int interruptLine, boolean intx) {
        config[0x04] = (byte) command;
        config[0x05] = (byte) (command >> 8);
        config[0x3c] = (byte) interruptLine;
        intxAsserted = intx;
    }

    /** A restore begins: a device model that armed host resources for its vectors lets them go. */
    void restoreBegin() {
    }

    /** A restore ended (the in-kernel device is connected and fed): the device model arms again from its state. */
    void postLoad() {
    }

    /** Writes the node under its parent (the PHB or a bridge node) and returns it. */
    DtNode writeDeviceTree(DtNode parent) {
        DtNode n = parent.addChild(unitName());
        writeProperties(n);
        n.setString("ibm,loc-code", "qemu_" + type + ":" + pciAddress());
        n.setCells("ibm,my-drc-index", 0x40000000L | ((long) bus.number() << 8) | devfn());
        n.setCells("devsel-speed", 0);
        n.setCells("cache-line-size", 0);
        if (headerType() == 0) {
            n.setCells("subsystem-vendor-id", subsystemVendor);
            n.setCells("subsystem-id", subsystemId);
        }
        if (intxPin != 0) {
            n.setCells("interrupts", intxPin);
        }
        n.setCells("class-code", classCode);
        n.setCells("revision-id", 0);
        n.setCells("device-id", device);
        n.setCells("vendor-id", vendor);
        return n;
    }

    /** Plain data for scripts. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("name", id);
        m.put("pci", pciAddress());
        m.put("configAddress", configAddress());
        m.put("intx", intxPin == 0 ? null : phb.lsi(phbLsiIndex()));
        m.put("msiVectors", msiVectors());
        m.put("msixEntries", msixEntries());
        m.put("msiFirst", msiNum == 0 ? null : msiFirst);
        m.put("msiCount", msiNum);
        if (msix != null) {
            m.put("msix", msix.info());
        }
        return m;
    }
}
