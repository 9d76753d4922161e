package io.pseries.xive.kvm;

import io.pseries.core.host.Errno;
import io.pseries.core.host.KvmResult;
import io.pseries.core.mem.GuestMemory;
import io.pseries.xive.EndConfig;

/**
 * {@code KVM_DEV_XIVE_GRP_EQ_CONFIG}: the event queue of (server, priority), read and written
 * as {@code struct kvm_ppc_xive_eq} = {flags, qshift, qaddr, qtoggle, qindex}.
 *
 * <pre>
 *  set  no data EFAULT; unknown server ENOENT; priority != xive_prio_from_guest EINVAL;
 *       qshift 0: queue reset, 0; flags != ALWAYS_NOTIFY EINVAL; qshift != 16 EINVAL;
 *       qaddr not aligned EINVAL; qaddr not guest RAM EINVAL; queue larger than the host page
 *       backing it EINVAL; then the host END is programmed (always notify) and the position
 *       restored only when (qtoggle, qindex) != (1, 0)
 *  get  unknown server ENOENT; bad priority EINVAL; no queue: all zero; else the guest's
 *       qshift/qaddr and the END's current generation and index
 * </pre>
 */
final class QueueAttributes {
    private final XiveNativeDevice dev;

    QueueAttributes(XiveNativeDevice dev) {
        this.dev = dev;
    }

    KvmResult set(long eqIdx, long[] data) {
        int priority = (int) (eqIdx & KvmXiveUapi.EQ_PRIORITY_MASK);
        long server = (eqIdx & KvmXiveUapi.EQ_SERVER_MASK) >>> 3;
        if (data == null || data.length < KvmXiveUapi.EQ_WORDS) {
            return KvmResult.error(Errno.EFAULT);
        }
        long flags = data[0] & 0xffff_ffffL;
        long qshift = data[1] & 0xffff_ffffL;
        long qaddr = data[2];
        long qtoggle = data[3] & 0xffff_ffffL;
        long qindex = data[4] & 0xffff_ffffL;
        XiveNativeDevice.Vcpu v = dev.findServer(server);
        if (v == null) {
            return KvmResult.error(Errno.ENOENT);
        }
        if (priority != KvmXiveUapi.prioFromGuest(priority)) {
            return KvmResult.error(Errno.EINVAL);
        }
        if (qshift == 0) {
            v.guestQaddr[priority] = 0;
            v.guestQshift[priority] = 0;
            cleanupQueue(v, priority);
            return KvmResult.ok();
        }
        if (flags != KvmXiveUapi.EQ_ALWAYS_NOTIFY) {
            return KvmResult.error(Errno.EINVAL);
        }
        // only 64K queues, as advertised by ibm,xive-eq-sizes
        if (qshift != 16) {
            return KvmResult.error(Errno.EINVAL);
        }
        if ((qaddr & ((1L << qshift) - 1)) != 0) {
            return KvmResult.error(Errno.EINVAL);
        }
        if (!dev.vm.memory().contains(qaddr, GuestMemory.PAGE_SIZE)) {
            return KvmResult.error(Errno.EINVAL);
        }
        if ((1L << qshift) > dev.vm.config().pageSize()) {
            return KvmResult.error(Errno.EINVAL);
        }
        v.guestQaddr[priority] = qaddr;
        v.guestQshift[priority] = (int) qshift;
        v.qpage[priority] = true;
        v.count[priority] = 0;
        dev.xive.configureQueue(v.vp, priority, qaddr, (int) qshift);
        if (qtoggle != 1 || qindex != 0) {
            EndConfig.setPosition(dev.xive.router(), HostXive.endOf(v.vp, priority), (int) qtoggle, (int) qindex);
        }
        return KvmResult.ok();
    }

    KvmResult get(long eqIdx) {
        int priority = (int) (eqIdx & KvmXiveUapi.EQ_PRIORITY_MASK);
        long server = (eqIdx & KvmXiveUapi.EQ_SERVER_MASK) >>> 3;
        XiveNativeDevice.Vcpu v = dev.findServer(server);
        if (v == null) {
            return KvmResult.error(Errno.ENOENT);
        }
        if (priority != KvmXiveUapi.prioFromGuest(priority)) {
            return KvmResult.error(Errno.EINVAL);
        }
        if (!v.qpage[priority]) {
            return KvmResult.ok(0, 0, 0, 0, 0);
        }
        int end = HostXive.endOf(v.vp, priority);
        return KvmResult.ok(KvmXiveUapi.EQ_ALWAYS_NOTIFY, v.guestQshift[priority], v.guestQaddr[priority],
            EndConfig.toggle(dev.xive.router(), end), EndConfig.index(dev.xive.router(), end));
    }

    /** {@code kvmppc_xive_native_cleanup_queue}: the queue is disabled and its page dropped. */
    void cleanupQueue(XiveNativeDevice.Vcpu v, int prio) {
        dev.xive.disableQueue(v.vp, prio);
        v.qpage[prio] = false;
        v.count[prio] = 0;
    }
}
