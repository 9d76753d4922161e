package io.pseries.core.host.pt;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.host.Errno;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.VmmProcess;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The irqfds of one KVM VM ({@code kvm->irqfds}) and the {@code KVM_IRQFD} ioctl
 * (virt/kvm/eventfd.c, {@code kvm_irqfd_assign}):
 *
 * <pre>
 *  assign(fd, gsi)    fd not an eventfd of the calling process ─► EBADF
 *                     the eventfd already an irqfd of this VM  ─► EBUSY
 *                     else the irqfd listens to it (a count already pending is injected),
 *                     and (bypass available) registers its
 *                     consumer: a failed registration (EBUSY, or the link's error) is only logged
 *  deassign(fd, gsi)  the irqfd on that eventfd and gsi goes (its link first); none: nothing, 0
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class KvmIrqfds {
    private final VmmProcess process;
    private final PassthroughIrqMap map;
    private final IrqBypassManager bypass;
    private final Trace trace;
    private final PassthroughStats stats;
    private final List<Irqfd> irqfds = new ArrayList<>();

    public KvmIrqfds(VmmProcess process, PassthroughIrqMap map, IrqBypassManager bypass, Trace trace,
                     PassthroughStats stats) {
        this.process = process;
        this.map = map;
        this.bypass = bypass;
        this.trace = trace;
        this.stats = stats;
    }

    /** KVM_IRQFD without DEASSIGN. */
    public KvmResult assign(int fd, long gsi) {
        EventFd e = process.eventFd(fd);
        if (e == null) {
            stats.denied++;
            emit("irqfd_refused", fd, gsi, Errno.EBADF, null);
            return KvmResult.error(Errno.EBADF);
        }
        for (Irqfd i : irqfds) {
            if (i.token() == e) {
                emit("irqfd_refused", fd, gsi, Errno.EBUSY, null);
                return KvmResult.error(Errno.EBUSY);
            }
        }
        Irqfd i = new Irqfd(e, gsi, map, trace, stats);
        irqfds.add(i);
        stats.irqfds++;
        // an event already pending on the eventfd is injected as if it had not been missed,
        // before the consumer registers (kvm_irqfd_assign polls first)
        if (e.read() > 0) {
            i.inject();
        }
        int r = bypass.register(i);
        i.setConsumerRegistered(r == 0);
        String msg = r == 0 ? null : String.format("irq bypass consumer (token %s) registration fails: %d", e, r);
        emit("irqfd", fd, gsi, null, msg);
        return KvmResult.ok();
    }

    /** KVM_IRQFD with DEASSIGN. */
    public KvmResult deassign(int fd, long gsi) {
        EventFd e = process.eventFd(fd);
        if (e == null) {
            return KvmResult.error(Errno.EBADF);
        }
        for (Irqfd i : irqfds) {
            if (i.token() == e && i.gsi() == gsi) {
                remove(i);
                return KvmResult.ok();
            }
        }
        return KvmResult.ok();
    }

    /**
     * {@code irqfd_shutdown}: the irqfd leaves the eventfd's wait queue first, then its consumer
     * goes (breaking a link): an occurrence the host resends while the link breaks stays counted
     * in the eventfd, for the next irqfd on it.
     */
    private void remove(Irqfd i) {
        i.shutdown();
        if (i.consumerRegistered()) {
            bypass.unregister(i);
        }
        irqfds.remove(i);
        if (trace.on(TraceCategory.PASSTHROUGH)) {
            trace.emit(TraceCategory.PASSTHROUGH, -1, "irqfd_deassign", "gsi", i.gsi(), "eventfd", i.token().id());
        }
    }

    /** The VM goes away: every irqfd is deassigned. */
    public void releaseAll() {
        for (Irqfd i : List.copyOf(irqfds)) {
            remove(i);
        }
    }

    /**
     * A host-group checkpoint's restore: the irqfds put in the order {@code rank} gives (lowest
     * first, ties kept), as the source's VM listed them ({@code m.host.links()} shows that order).
     */
    public void reorder(java.util.function.ToIntFunction<Irqfd> rank) {
        irqfds.sort(java.util.Comparator.comparingInt(rank));
    }

    public List<Irqfd> list() {
        return List.copyOf(irqfds);
    }

    private void emit(String what, int fd, long gsi, Errno e, String msg) {
        if (trace.on(TraceCategory.PASSTHROUGH)) {
            trace.emit(TraceCategory.PASSTHROUGH, -1, what, "fd", fd, "gsi", gsi, "errno", e == null ? null : e.name(),
                "message", msg);
        }
    }
}
