package io.pseries.core.dev.pci;

/** A PCI bus: the PHB's root bus (number 0, no bridge) or a bridge's secondary bus. */
public final class PciBus {
    private final int number;
    private final PciBridge bridge;

    PciBus(int number, PciBridge bridge) {
        this.number = number;
        this.bridge = bridge;
    }

    public int number() {
        return number;
    }

    /** The bridge this bus is behind, or null for the root bus. */
    public PciBridge bridge() {
        return bridge;
    }
}
