package io.pseries.core.drc;

/**
 * The kinds of DR connector QEMU's pseries machine creates: their type shift (the top nibble of
 * the index), the {@code ibm,drc-types} string, the name prefix,
 * and whether the connector is logical (CPU, PHB) or physical (a PCI slot). LMB connectors exist
 * only with hot-pluggable memory ({@code maxmem}), which the model does not have.
 */
public enum DrcKind {
    CPU(1, "CPU", "CPU ", true),
    PHB(2, "PHB", "PHB ", true),
    PCI(4, "28", "C", false);

    private final int shift;
    private final String typeString;
    private final String namePrefix;
    private final boolean logical;

    DrcKind(int shift, String typeString, String namePrefix, boolean logical) {
        this.shift = shift;
        this.typeString = typeString;
        this.namePrefix = namePrefix;
        this.logical = logical;
    }

    /** The top nibble of the index (1 CPU, 2 PHB, 4 PCI). */
    public int shift() {
        return shift;
    }

    public String typeString() {
        return typeString;
    }

    public String namePrefix() {
        return namePrefix;
    }

    public boolean logical() {
        return logical;
    }
}
