package io.pseries.core.dev.pci;

import io.pseries.core.dt.DtNode;

/**
 * QEMU's pci-bridge (vendor 0x1b36, device 0x0001): a PCI-to-PCI bridge with its own
 * secondary bus, an INTA pin and one MSI vector. Devices behind it reach the PHB's LSIs through
 * the standard swizzle: pin' = (pin + slot) mod 4 at each bridge.
 */
public final class PciBridge extends PciDevice {
    private PciBus secondary;

    public PciBridge(String id) {
        super("pci-bridge", id, 0x1b36, 0x0001, 0x060400, 0, 0, 1);
    }

    public PciBus secondary() {
        return secondary;
    }

    void setSecondary(PciBus b) {
        secondary = b;
    }

    @Override
    protected int headerType() {
        return 1;
    }

    @Override
    public int msiVectors() {
        return 1;
    }

    @Override
    public int msixEntries() {
        return 0;
    }

    @Override
    protected String nodeName() {
        return "pci";
    }

    @Override
    protected void writeProperties(DtNode n) {
        n.setCells("#size-cells", 2);
        n.setCells("#address-cells", 3);
        long cfg = configAddress();
        n.setCells("reg", cfg, 0, 0, 0, 0, 0x3000010L | cfg, 0, 0, 0, 0x100);
        n.setCells("ibm,req#msi", 1);
        n.setEmpty("66mhz-capable");
        n.setEmpty("fast-back-to-back");
    }
}
