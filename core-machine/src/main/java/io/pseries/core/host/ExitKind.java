package io.pseries.core.host;

/**
 * What made the VMM run: a guest hcall, an RTAS call (an H_RTAS hcall) or an MMIO access that
 * left the guest, or a host device interrupt the VMM relays (a pass-through interrupt whose
 * eventfd woke the VMM, which then stores to the MSI window or raises the PCI pin).
 */
public enum ExitKind {
    HCALL, RTAS, MMIO, IRQ;

    public String jsName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
