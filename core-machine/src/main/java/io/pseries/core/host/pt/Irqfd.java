package io.pseries.core.host.pt;

import io.pseries.core.host.Errno;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * One KVM irqfd ({@code KVM_IRQFD}): an eventfd that, when signalled, triggers guest interrupt
 * {@code gsi} in the kernel, and the irqbypass consumer registered with that eventfd as its
 * token. When a VFIO producer with the same token exists, the consumer links the producer's
 * host interrupt to the guest interrupt ({@link PassthroughIrqMap#set}); then the host
 * interrupt no longer signals the eventfd at all, the host XIVE delivers it to the guest.
 *
 * <pre>
 *  eventfd signalled ─► kvm_set_irq(gsi) ─► the in-kernel device's software trigger
 *                       (the gsi's IPI; EINVAL and nothing while the gsi is linked)
 *  add_producer(p)   ─► kvmppc_set_passthru_irq(p.hostIrq, gsi): a non-zero answer is logged
 *                       ("kvmppc_set_passthru_irq (irq H, gsi G) fails: RC") and fails the link
 *  del_producer(p)   ─► kvmppc_clr_passthru_irq (errors logged)
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class Irqfd implements IrqBypassManager.Consumer {
    private final EventFd fd;
    private final long gsi;
    private final PassthroughIrqMap map;
    private final Trace trace;
    private final PassthroughStats stats;
    private final Runnable waiter = this::wakeup;
    private IrqBypassManager.Producer producer;
    /** Why the last link attempt failed (the logged errno), or {@code null}. */
    private String failure;
    private boolean consumerRegistered;

    Irqfd(EventFd fd, long gsi, PassthroughIrqMap map, Trace trace, PassthroughStats stats) {
        this.fd = fd;
        this.gsi = gsi;
        this.map = map;
        this.trace = trace;
        this.stats = stats;
        fd.addWaiter(waiter);
    }

    @Override
    public EventFd token() {
        return fd;
    }

    public long gsi() {
        return gsi;
    }

    /** The producer linked to this irqfd, or {@code null}. */
    public IrqBypassManager.Producer producer() {
        return producer;
    }

    public String failure() {
        return failure;
    }

    void setConsumerRegistered(boolean r) {
        consumerRegistered = r;
    }

    public boolean consumerRegistered() {
        return consumerRegistered;
    }

    /** The eventfd was signalled: the count is consumed and the gsi triggered. */
    private void wakeup() {
        fd.read();
        inject();
    }

    /** {@code irqfd_inject}: kvm_set_irq on the gsi. */
    void inject() {
        InKernelIrqchip ic = map.irqchip();
        if (ic == null) {
            stats.dropped++;
            return;
        }
        Errno e = ic.setIrq(gsi, true);
        if (e == null) {
            stats.irqfdInjections++;
        } else {
            stats.softwareTriggersRefused++;
            if (trace.on(TraceCategory.PASSTHROUGH)) {
                trace.emit(TraceCategory.PASSTHROUGH, -1, "software_trigger_refused", "gsi", gsi, "errno", e.name());
            }
        }
    }

    @Override
    public int addProducer(IrqBypassManager.Producer p) {
        producer = p;
        int rc = map.set(p.hostIrq(), gsi);
        if (rc != 0) {
            producer = null;
            Errno e = rc < 0 ? Errno.of(-rc) : null;
            failure = e == null ? String.valueOf(rc) : e.name();
            stats.linkFailures++;
            if (trace.on(TraceCategory.PASSTHROUGH)) {
                trace.emit(TraceCategory.PASSTHROUGH, -1, "link_failed", "gsi", gsi, "hostIrq", p.hostIrq(), "ret", rc,
                    "errno", e == null ? null : e.name(), "message",
                    String.format("kvmppc_set_passthru_irq (irq %d, gsi %d) fails: %d", p.hostIrq(), gsi, rc));
            }
            return rc;
        }
        failure = null;
        return 0;
    }

    @Override
    public void delProducer(IrqBypassManager.Producer p) {
        producer = null;
        int rc = map.clr(p.hostIrq(), gsi);
        if (rc != 0 && trace.on(TraceCategory.PASSTHROUGH)) {
            trace.emit(TraceCategory.PASSTHROUGH, -1, "unlink_failed", "gsi", gsi, "hostIrq", p.hostIrq(), "ret", rc,
                "message", String.format("kvmppc_clr_passthru_irq (irq %d, gsi %d) fails: %d", p.hostIrq(), gsi, rc));
        }
    }

    /** The irqfd is deassigned: it stops listening to its eventfd. */
    void shutdown() {
        fd.removeWaiter(waiter);
    }
}
