package io.pseries.xive.kvm;

import io.pseries.core.host.Errno;
import io.pseries.core.host.KvmResult;
import io.pseries.xive.XiveSource;

/**
 * The native XIVE device's source attribute groups and the source side of its CTRL group, with
 * the kernel's checks in the kernel's order (book3s_xive_native.c).
 *
 * <pre>
 *  SOURCE(irq, u64)         irq outside [0, 2^20) E2BIG; block created; no data EFAULT;
 *                           no IPI yet: allocate one (none left ENXIO); LSI/asserted bits set;
 *                           masked: IPI PQ 01, EAS masked, act_priority MASKED; valid
 *  restoreSource(irq, hw)   (a host-group restore, as the device is made) the source on IPI hw
 *                           itself, masked and valid as SOURCE leaves it; hw taken: nothing
 *  SOURCE_CONFIG(irq, u64)  no block ENOENT; not valid EINVAL; no data EFAULT;
 *                           priority != xive_prio_from_guest(priority) EINVAL; unchanged: no-op;
 *                           unmasked: pick a queue (select_target: EINVAL, EBUSY) and route the
 *                           backing HW irq to (VP, priority, EISN); masked: route masked
 *  SOURCE_SYNC(irq)         no block ENOENT; not valid EINVAL; else a HW source sync
 *  CTRL RESET               mask every source routed anywhere and free every queue (keeps
 *                           valid, IPIs, pass-through links, mappings: no zap); always 0
 *  CTRL EQ_SYNC             sync unmasked sources, mark every queue page dirty; always 0
 * </pre>
 */
final class SourceAttributes {
    private final XiveNativeDevice dev;

    SourceAttributes(XiveNativeDevice dev) {
        this.dev = dev;
    }

    KvmResult setSource(long irq, long[] data) {
        if (irq < 0 || irq >= KvmXiveUapi.NR_IRQS) {
            return KvmResult.error(Errno.E2BIG);
        }
        GuestSources.Block b = dev.sources.block(irq);
        if (b == null) {
            b = dev.sources.createBlock(irq);
        }
        int i = GuestSources.slot(irq);
        if (data == null || data.length < 1) {
            return KvmResult.error(Errno.EFAULT);
        }
        long val = data[0];
        if (b.ipi[i] == 0) {
            int hw = dev.xive.allocIrq();
            if (hw == 0) {
                return KvmResult.error(Errno.ENXIO);
            }
            b.ipi[i] = hw;
            dev.xive.backsGuestIrq(hw, (int) irq);
        }
        initMasked(b, i, val);
        return KvmResult.ok();
    }

    /**
     * A host-group restore making a source the checkpoint's device had (before the VMM feeds the
     * device): on IPI {@code hw} itself, left as GRP_SOURCE leaves an MSI (masked, PQ 01, valid).
     * The VMM's GRP_SOURCE for a source it claims then finds the IPI there. Nothing when the entry
     * already has one or {@code hw} is taken (that source then gets a free IPI as without a table).
     */
    void restoreSource(long irq, int hw) {
        if (irq < 0 || irq >= KvmXiveUapi.NR_IRQS) {
            return;
        }
        GuestSources.Block b = dev.sources.createBlock(irq);
        int i = GuestSources.slot(irq);
        if (b.ipi[i] != 0 || !dev.xive.allocIrqAt(hw)) {
            return;
        }
        b.ipi[i] = hw;
        dev.xive.backsGuestIrq(hw, (int) irq);
        initMasked(b, i, 0);
    }

    private void initMasked(GuestSources.Block b, int i, long val) {
        // the native device sets these bits but never clears them (2019 code, kept)
        if ((val & KvmXiveUapi.LEVEL_SENSITIVE) != 0) {
            b.flags[i] |= GuestSources.LSI;
            if ((val & KvmXiveUapi.LEVEL_ASSERTED) != 0) {
                b.flags[i] |= GuestSources.ASSERTED;
            }
        }
        b.actServer[i] = 0;
        b.actPrio[i] = (byte) KvmXiveUapi.MASKED;
        dev.xive.esbLoad(b.ipi[i], XiveSource.ESB_SET_PQ_01);
        dev.xive.configureIrq(b.ipi[i], 0, KvmXiveUapi.MASKED, 0);
        dev.sources.markValid(b, i);
    }

    KvmResult setSourceConfig(long irq, long[] data) {
        GuestSources.Block b = dev.sources.block(irq);
        if (b == null) {
            return KvmResult.error(Errno.ENOENT);
        }
        int i = GuestSources.slot(irq);
        if (!GuestSources.isValid(b, i)) {
            return KvmResult.error(Errno.EINVAL);
        }
        if (data == null || data.length < 1) {
            return KvmResult.error(Errno.EFAULT);
        }
        long cfg = data[0];
        int priority = (int) (cfg & KvmXiveUapi.SOURCE_PRIORITY_MASK);
        int server = (int) ((cfg & KvmXiveUapi.SOURCE_SERVER_MASK) >>> 3);
        boolean masked = (cfg & KvmXiveUapi.SOURCE_MASKED_MASK) != 0;
        int eisn = (int) ((cfg & KvmXiveUapi.SOURCE_EISN_MASK) >>> 33);
        if (priority != KvmXiveUapi.prioFromGuest(priority)) {
            return KvmResult.error(Errno.EINVAL);
        }
        return update(b, i, server, priority, masked, eisn);
    }

    /** {@code kvmppc_xive_native_update_source_config}. */
    private KvmResult update(GuestSources.Block b, int i, int server, int priority, boolean masked, int eisn) {
        if (b.actServer[i] == server && (b.actPrio[i] & 0xff) == priority && b.eisn[i] == eisn) {
            return KvmResult.ok();
        }
        int hw = GuestSources.selected(b, i);
        if (priority != KvmXiveUapi.MASKED && !masked) {
            XiveNativeDevice.Vcpu target = selectTarget(server, priority);
            if (target == null) {
                return KvmResult.error(dev.findServer(server) == null ? Errno.EINVAL : Errno.EBUSY);
            }
            b.actPrio[i] = (byte) priority;
            b.actServer[i] = target.server;
            b.eisn[i] = eisn;
            return dev.xive.configureIrq(hw, target.vp, priority, eisn) == 0 ? KvmResult.ok()
                : KvmResult.error(Errno.ENXIO);
        }
        b.actPrio[i] = (byte) KvmXiveUapi.MASKED;
        b.actServer[i] = 0;
        b.eisn[i] = 0;
        dev.xive.configureIrq(hw, 0, KvmXiveUapi.MASKED, 0);
        return KvmResult.ok();
    }

    /**
     * {@code kvmppc_xive_select_target}: the requested server if its queue at {@code prio} exists
     * and has room, else the first connected vCPU whose queue does; {@code null} when the server
     * is unknown or no queue has room.
     */
    private XiveNativeDevice.Vcpu selectTarget(int server, int prio) {
        XiveNativeDevice.Vcpu v = dev.findServer(server);
        if (v == null) {
            return null;
        }
        if (tryPick(v, prio)) {
            return v;
        }
        for (XiveNativeDevice.Vcpu o : dev.vcpus) {
            if (o != null && tryPick(o, prio)) {
                return o;
            }
        }
        return null;
    }

    /** {@code xive_try_pick_queue}: a queue with fewer than (entries - 2) sources takes one more. */
    private static boolean tryPick(XiveNativeDevice.Vcpu v, int prio) {
        if (!v.qpage[prio]) {
            return false;
        }
        int max = (1 << (v.guestQshift[prio] - 2)) - 2;
        if (v.count[prio] >= max) {
            return false;
        }
        v.count[prio]++;
        return true;
    }

    KvmResult syncSource(long irq) {
        GuestSources.Block b = dev.sources.block(irq);
        if (b == null) {
            return KvmResult.error(Errno.ENOENT);
        }
        int i = GuestSources.slot(irq);
        if (!GuestSources.isValid(b, i)) {
            return KvmResult.error(Errno.EINVAL);
        }
        dev.xive.syncSource(GuestSources.selected(b, i));
        return KvmResult.ok();
    }

    /** Masks one source's backing: IPI PQ 01 and EAS masked, and the pass-through HW irq too. */
    private void maskBacking(GuestSources.Block b, int i) {
        dev.xive.esbLoad(b.ipi[i], XiveSource.ESB_SET_PQ_01);
        dev.xive.configureIrq(b.ipi[i], 0, KvmXiveUapi.MASKED, 0);
        if (b.pt[i] != 0) {
            dev.xive.esbLoad(b.pt[i], XiveSource.ESB_SET_PQ_01);
            dev.xive.configureIrq(b.pt[i], 0, KvmXiveUapi.MASKED, 0);
        }
    }

    /** {@code kvmppc_xive_reset}. */
    KvmResult reset() {
        for (XiveNativeDevice.Vcpu v : dev.vcpus) {
            if (v == null) {
                continue;
            }
            // kvmppc_xive_disable_vcpu_interrupts: sources routed to this vCPU
            forEachValid((b, i) -> {
                if ((b.actPrio[i] & 0xff) != KvmXiveUapi.MASKED && b.actServer[i] == v.server) {
                    b.actPrio[i] = (byte) KvmXiveUapi.MASKED;
                    maskBacking(b, i);
                }
            });
            for (int p = 0; p < 8; p++) {
                dev.queueAttrs.cleanupQueue(v, p);
            }
        }
        forEachValid((b, i) -> {
            if ((b.actPrio[i] & 0xff) != KvmXiveUapi.MASKED) {
                b.eisn[i] = 0;
                b.actServer[i] = 0;
                b.actPrio[i] = (byte) KvmXiveUapi.MASKED;
                maskBacking(b, i);
            }
        });
        return KvmResult.ok();
    }

    /** {@code kvmppc_xive_native_eq_sync}. */
    KvmResult eqSync() {
        forEachValid((b, i) -> {
            if ((b.actPrio[i] & 0xff) != KvmXiveUapi.MASKED) {
                int hw = GuestSources.selected(b, i);
                dev.xive.syncSource(hw);
                dev.xive.syncQueue(hw);
            }
        });
        for (XiveNativeDevice.Vcpu v : dev.vcpus) {
            if (v == null) {
                continue;
            }
            for (int p = 0; p < 8; p++) {
                if (v.qpage[p]) {
                    dev.vm.markDirty(v.guestQaddr[p]);
                }
            }
        }
        return KvmResult.ok();
    }

    /** Device release: every IPI (and pass-through HW irq) masked; the IPIs go back to the host. */
    void freeAll() {
        for (int blk = 0; blk <= dev.sources.maxBlock(); blk++) {
            GuestSources.Block b = dev.sources.blockAt(blk);
            if (b == null) {
                continue;
            }
            for (int i = 0; i < KvmXiveUapi.IRQ_PER_BLOCK; i++) {
                if (b.ipi[i] != 0) {
                    maskBacking(b, i);
                    dev.xive.freeIrq(b.ipi[i]);
                    b.ipi[i] = 0;
                }
            }
        }
    }

    private interface SlotVisitor {
        void visit(GuestSources.Block b, int i);
    }

    private void forEachValid(SlotVisitor f) {
        for (int blk = 0; blk <= dev.sources.maxBlock(); blk++) {
            GuestSources.Block b = dev.sources.blockAt(blk);
            if (b == null) {
                continue;
            }
            for (int i = 0; i < KvmXiveUapi.IRQ_PER_BLOCK; i++) {
                if (GuestSources.isValid(b, i)) {
                    f.visit(b, i);
                }
            }
        }
    }
}
