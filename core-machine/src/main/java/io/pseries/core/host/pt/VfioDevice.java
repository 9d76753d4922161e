package io.pseries.core.host.pt;

import io.pseries.core.host.Errno;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * A VFIO PCI device as the host kernel's vfio-pci driver holds it for one user: the file
 * {@code VFIO_GROUP_GET_DEVICE_FD} returned, on one {@link HostPciFunction}. While it is open
 * the function is the user's alone ({@link HostPciFunction#owner}), its host interrupts are
 * sources of the host interrupt controller, and the user arms them with eventfds.
 *
 * <pre>
 *  VFIO_DEVICE_SET_IRQS(MSIX, start, count, fds)  start + count past the table EINVAL; per vector:
 *      old trigger? producer unregistered, free_irq, eventfd dropped
 *      fd given?    request_irq(hw, handler: signal the eventfd), producer (token = eventfd,
 *                   irq = hw) registered with the irqbypass manager: a failure is only logged
 *  VFIO_DEVICE_SET_IRQS(MSIX, 0, 0, none)         every vector disarmed
 *  VFIO_DEVICE_SET_IRQS(INTX, 0, 1, fd)           INTx signals fd (never a producer: LSIs are not bypassed)
 *  device raises vector v ─► armed? trigger of hw(v) at the host interrupt controller : dropped
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class VfioDevice {
    /** VFIO_PCI_INTX_IRQ_INDEX and VFIO_PCI_MSIX_IRQ_INDEX. */
    public static final int INDEX_INTX = 0;
    public static final int INDEX_MSI = 1;
    public static final int INDEX_MSIX = 2;

    private final HostPciFunction fn;
    private final String process;
    private final HostInterruptController intc;
    private final IrqBypassManager bypass;
    private final Trace trace;
    private final PassthroughStats stats;
    private final EventFd[] trigger;
    private final Producer[] producers;
    private EventFd intxTrigger;
    private boolean closed;

    /** One armed vector as the irqbypass manager sees it. */
    private record Producer(EventFd token, int hostIrq) implements IrqBypassManager.Producer {
    }

    VfioDevice(HostPciFunction fn, String process, HostInterruptController intc, IrqBypassManager bypass, Trace trace,
               PassthroughStats stats) {
        this.fn = fn;
        this.process = process;
        this.intc = intc;
        this.bypass = bypass;
        this.trace = trace;
        this.stats = stats;
        this.trigger = new EventFd[fn.msixVectors()];
        this.producers = new Producer[fn.msixVectors()];
        for (int v = 0; v < fn.msixVectors(); v++) {
            intc.addHwSource(fn.hwIrq(v), false);
        }
        if (fn.hasIntx()) {
            intc.addHwSource(fn.intxHwIrq(), true);
        }
        fn.setOwner(this);
    }

    public HostPciFunction function() {
        return fn;
    }

    public String processName() {
        return process;
    }

    /**
     * VFIO_DEVICE_SET_IRQS with ACTION_TRIGGER: {@code fds} holds one eventfd (or {@code null} =
     * fd -1, disarm) per vector from {@code start}; {@code fds == null} is DATA_NONE. Returns the
     * errno, or {@code null}.
     */
    public Errno setIrqs(int index, int start, int count, EventFd[] fds) {
        if (closed) {
            return Errno.EBADF;
        }
        if (index == INDEX_INTX) {
            if (!fn.hasIntx() || start != 0 || count > 1) {
                return Errno.EINVAL;
            }
            intxTrigger = fds == null || count == 0 ? null : fds[0];
            return null;
        }
        if (index != INDEX_MSIX) {
            // MSI (no MSI capability here), ERR and REQ indexes are not modelled: the device has none
            return Errno.EINVAL;
        }
        if (fds == null && count == 0) {
            for (int v = 0; v < trigger.length; v++) {
                setVectorSignal(v, null);
            }
            return null;
        }
        if (start < 0 || count < 0 || (long) start + count > fn.msixVectors() || (fds != null && fds.length < count)) {
            return Errno.EINVAL;
        }
        for (int i = 0; i < count; i++) {
            setVectorSignal(start + i, fds == null ? null : fds[i]);
        }
        return null;
    }

    /** {@code vfio_msi_set_vector_signal}. */
    private void setVectorSignal(int v, EventFd fd) {
        int hw = fn.hwIrq(v);
        if (trigger[v] != null) {
            if (producers[v] != null) {
                bypass.unregister(producers[v]);
                producers[v] = null;
            }
            intc.freeHostIrq(hw);
            trigger[v] = null;
        }
        if (fd == null) {
            return;
        }
        trigger[v] = fd;
        final EventFd e = fd;
        intc.requestIrq(hw, e::signal);
        Producer p = new Producer(fd, hw);
        int r = bypass.register(p);
        if (r != 0) {
            if (trace.on(TraceCategory.PASSTHROUGH)) {
                trace.emit(TraceCategory.PASSTHROUGH, -1, "producer_failed", "addr", fn.addr(), "vector", v,
                    "hostIrq", hw, "ret", r, "message", String.format("vfio-pci %s: irq bypass producer (token %s)"
                        + " registration fails: %d", fn.addr(), fd, r));
            }
        } else {
            producers[v] = p;
        }
    }

    /** The eventfd vector {@code v} signals, or {@code null}. */
    public EventFd trigger(int v) {
        return v >= 0 && v < trigger.length ? trigger[v] : null;
    }

    public EventFd intxTrigger() {
        return intxTrigger;
    }

    /** The device raised vector {@code v}: false when it is not armed (nothing is programmed). */
    boolean deviceRaise(int v) {
        if (closed || trigger[v] == null) {
            return false;
        }
        intc.deviceTrigger(fn.hwIrq(v));
        return true;
    }

    /** The INTx wire changed: VFIO's INTx handler signals the eventfd on a rising level. */
    void deviceIntx(boolean level) {
        if (!closed && level && intxTrigger != null) {
            intxTrigger.signal();
        } else if (level) {
            stats.dropped++;
        }
    }

    /** The VMM unmasks INTx after the guest's EOI: a level still up signals again. */
    public void unmaskIntx() {
        if (!closed && fn.intxLevel() && intxTrigger != null) {
            intxTrigger.signal();
        }
    }

    /** The device file's release: every vector disarmed, the host sources gone, the function free. */
    public void close() {
        if (closed) {
            return;
        }
        for (int v = 0; v < trigger.length; v++) {
            setVectorSignal(v, null);
        }
        intxTrigger = null;
        for (int v = 0; v < fn.msixVectors(); v++) {
            intc.removeHwSource(fn.hwIrq(v));
        }
        if (fn.hasIntx()) {
            intc.removeHwSource(fn.intxHwIrq());
        }
        closed = true;
        fn.setOwner(null);
    }

    public boolean closed() {
        return closed;
    }
}
