package io.pseries.xive.kvm;

import io.pseries.core.host.Errno;
import io.pseries.xive.XiveSource;

/**
 * The pass-through switch of the native XIVE device: {@code kvmppc_xive_set_mapped} and
 * {@code kvmppc_xive_clr_mapped} (book3s_xive.c, facts §2.4-2.5), in the kernel's order, so
 * that no occurrence is lost while a guest interrupt changes its backing from its IPI to a host
 * PCI function's MSI and back; and the software trigger it refuses while linked.
 *
 * <pre>
 *  set_mapped(g, h)  no block for g EINVAL | host hands h to the guest (irq_set_vcpu_affinity)
 *                    IPI masked: PQ 10, old P/Q kept | IPI PQ 01 | zap g's two ESB pages
 *                    pt = h | h's EAS = the IPI's routing, data = g | h EOI iff g was unmasked
 *                    and old P clear
 *  clr_mapped(g, h)  h masked: PQ 10, old P/Q kept | old P: h PQ 11 (the host resends)
 *                    host takes h back | pt = 0 | zap | IPI's EAS = (VP, prio, g)
 *                    IPI PQ: 10 if g was masked or old P, else 00
 *  setIrq(g)         no source or linked: EINVAL (nothing); an MSI: trigger of the IPI;
 *                    an LSI: ASSERTED kept, a trigger while up
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
final class XivePassthrough {
    private final XiveNativeDevice dev;

    XivePassthrough(XiveNativeDevice dev) {
        this.dev = dev;
    }

    int setMapped(long gsi, int hostIrq) {
        GuestSources.Block b = dev.sources.block(gsi);
        if (b == null) {
            return -Errno.EINVAL.number();
        }
        int i = GuestSources.slot(gsi);
        int rc = dev.xive.setVcpuAffinity(hostIrq, true);
        if (rc != 0) {
            return rc;
        }
        // xive_lock_and_mask on the IPI, which still backs the interrupt
        int prio = b.actPrio[i] & 0xff;
        boolean oldP = false;
        if (prio != KvmXiveUapi.MASKED && b.ipi[i] != 0) {
            long old = dev.xive.esbLoad(b.ipi[i], XiveSource.ESB_SET_PQ_10);
            oldP = (old & 2) != 0;
            dev.xive.syncSource(b.ipi[i]);
        }
        if (b.ipi[i] != 0) {
            dev.xive.esbLoad(b.ipi[i], XiveSource.ESB_SET_PQ_01);
        }
        dev.mappings.resetMapped(gsi);
        b.pt[i] = hostIrq;
        if (prio == KvmXiveUapi.MASKED) {
            dev.xive.configureIrq(hostIrq, 0, KvmXiveUapi.MASKED, 0);
        } else {
            dev.xive.configureIrq(hostIrq, dev.vpOf(b.actServer[i]), prio, (int) gsi);
        }
        if (prio != KvmXiveUapi.MASKED && !oldP) {
            // enables the HW source; a trigger latched in its Q while the host held it fires now
            dev.xive.esbLoad(hostIrq, XiveSource.ESB_LOAD_EOI);
        }
        return 0;
    }

    int clrMapped(long gsi, int hostIrq) {
        GuestSources.Block b = dev.sources.block(gsi);
        if (b == null) {
            return -Errno.EINVAL.number();
        }
        int i = GuestSources.slot(gsi);
        if (b.pt[i] != hostIrq) {
            return -Errno.EINVAL.number();
        }
        int prio = b.actPrio[i] & 0xff;
        boolean oldP = false;
        if (prio != KvmXiveUapi.MASKED) {
            long old = dev.xive.esbLoad(hostIrq, XiveSource.ESB_SET_PQ_10);
            oldP = (old & 2) != 0;
            dev.xive.syncSource(hostIrq);
        }
        if (oldP) {
            dev.xive.esbLoad(hostIrq, XiveSource.ESB_SET_PQ_11);
        }
        dev.xive.setVcpuAffinity(hostIrq, false);
        b.pt[i] = 0;
        dev.mappings.resetMapped(gsi);
        if (b.ipi[i] != 0) {
            if (prio == KvmXiveUapi.MASKED) {
                dev.xive.configureIrq(b.ipi[i], 0, KvmXiveUapi.MASKED, 0);
            } else {
                dev.xive.configureIrq(b.ipi[i], dev.vpOf(b.actServer[i]), prio, (int) gsi);
            }
            dev.xive.esbLoad(b.ipi[i], prio == KvmXiveUapi.MASKED || oldP ? XiveSource.ESB_SET_PQ_10
                : XiveSource.ESB_SET_PQ_00);
        }
        return 0;
    }

    /** {@code kvmppc_xive_set_irq}. */
    Errno setIrq(long gsi, boolean level) {
        GuestSources.Block b = dev.sources.block(gsi);
        if (b == null) {
            return Errno.EINVAL;
        }
        int i = GuestSources.slot(gsi);
        if (b.ipi[i] == 0 || b.pt[i] != 0) {
            return Errno.EINVAL;
        }
        if ((b.flags[i] & GuestSources.LSI) != 0) {
            if (level) {
                b.flags[i] |= GuestSources.ASSERTED;
            } else {
                b.flags[i] &= ~GuestSources.ASSERTED;
                return null;
            }
        } else if (!level) {
            return null;
        }
        dev.xive.esbStore(b.ipi[i], true, 0, 0);
        return null;
    }

    int mapped(long gsi) {
        GuestSources.Block b = dev.sources.block(gsi);
        return b == null ? 0 : b.pt[GuestSources.slot(gsi)];
    }
}
