package io.pseries.core.dev.pci;

import io.pseries.core.dt.DtNode;

/**
 * virtio-net-pci and virtio-blk-pci as QEMU builds them (transitional devices): vendor 0x1af4,
 * an INTA pin, and {@code vectors} MSI-X table entries (0: INTx only, as virtio-blk-pci with
 * {@code vectors=0}).
 */
public final class VirtioPci extends PciDevice {
    private final boolean net;
    private final int vectors;

    public VirtioPci(boolean net, String id, int vectors) {
        super(net ? "virtio-net-pci" : "virtio-blk-pci", id, 0x1af4, net ? 0x1000 : 0x1001,
            net ? 0x020000 : 0x010000, 0x1af4, net ? 1 : 2, 1);
        this.net = net;
        this.vectors = vectors;
    }

    public boolean isNet() {
        return net;
    }

    @Override
    public int msiVectors() {
        return 0;
    }

    @Override
    public int msixEntries() {
        return vectors;
    }

    /** How many vectors the guest driver uses: config + rx + tx (net) or config + requests (blk). */
    public int vectorsUsed() {
        return Math.min(vectors, net ? 3 : 2);
    }

    /** Linux's names for the vectors: virtioN-config, virtioN-input.0, ... */
    public String vectorName(int k) {
        if (k == 0) {
            return "config";
        }
        return net ? (k == 1 ? "input.0" : "output.0") : "req.0";
    }

    @Override
    protected String nodeName() {
        return net ? "ethernet" : "scsi";
    }

    @Override
    protected void writeProperties(DtNode n) {
        n.setCells("max-latency", 0);
        n.setCells("min-grant", 0);
        long cfg = configAddress();
        // config space, BAR0 (I/O), BAR1 (MSI-X table, when present), BAR4 (64-bit memory)
        long[] reg = vectors > 0
            ? new long[] {cfg, 0, 0, 0, 0, 0x1000010L | cfg, 0, 0, 0, net ? 0x20 : 0x80, 0x2000014L | cfg, 0, 0, 0, 0x1000,
                0x3000020L | cfg, 0, 0, 0, 0x4000}
            : new long[] {cfg, 0, 0, 0, 0, 0x1000010L | cfg, 0, 0, 0, net ? 0x20 : 0x80, 0x3000020L | cfg, 0, 0, 0, 0x4000};
        n.setCells("reg", reg);
        if (vectors > 0) {
            n.setCells("ibm,req#msi-x", vectors);
        }
    }
}
