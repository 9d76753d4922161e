package io.pseries.core.host.pt;

import java.util.LinkedHashMap;
import java.util.Map;

import io.pseries.core.host.Errno;

/**
 * The host kernel's irqbypass manager (virt/lib/irqbypass.c): it pairs an interrupt
 * <em>producer</em> (VFIO, one per armed MSI vector) with a <em>consumer</em> (KVM, one per
 * irqfd) when both registered the same token, the eventfd. Token identity is the only proof of
 * ownership KVM ever gets: a link forms only when the eventfd VFIO signals for a vector of a
 * device the VMM opened is the very eventfd the VMM gave KVM_IRQFD on its own VM.
 *
 * <pre>
 *  register(producer)  null token EINVAL; token already produced EBUSY; a consumer with the
 *  register(consumer)  token? ─► consumer.addProducer(producer): an error fails this
 *                      registration (the side is not added); else both are listed and linked
 *  unregister(...)     a linked pair is disconnected first (consumer.delProducer)
 * </pre>
 *
 * Callers (VFIO, KVM) only log a failed registration; their ioctl still succeeds.
 *
 * <p>Threading: the machine's thread only.
 */
public final class IrqBypassManager {
    /** VFIO's side: one MSI vector of a device, its host interrupt and the eventfd it signals. */
    public interface Producer {
        EventFd token();

        /** The host (hardware) interrupt number of the vector ({@code prod->irq}). */
        int hostIrq();
    }

    /** KVM's side: an irqfd. */
    public interface Consumer {
        EventFd token();

        /** {@code add_producer}: 0 on success, else what the arch code answered (negative errno or 1). */
        int addProducer(Producer p);

        void delProducer(Producer p);
    }

    private final Map<EventFd, Producer> producers = new LinkedHashMap<>();
    private final Map<EventFd, Consumer> consumers = new LinkedHashMap<>();
    private long connects;
    private long connectFailures;

    /** {@code irq_bypass_register_producer}: 0 or a negative errno. */
    public int register(Producer p) {
        if (p.token() == null) {
            return -Errno.EINVAL.number();
        }
        if (producers.containsKey(p.token())) {
            return -Errno.EBUSY.number();
        }
        Consumer c = consumers.get(p.token());
        if (c != null) {
            int r = connect(p, c);
            if (r != 0) {
                return r;
            }
        }
        producers.put(p.token(), p);
        return 0;
    }

    /** {@code irq_bypass_register_consumer}: 0 or a negative errno. */
    public int register(Consumer c) {
        if (c.token() == null) {
            return -Errno.EINVAL.number();
        }
        if (consumers.containsKey(c.token())) {
            return -Errno.EBUSY.number();
        }
        Producer p = producers.get(c.token());
        if (p != null) {
            int r = connect(p, c);
            if (r != 0) {
                return r;
            }
        }
        consumers.put(c.token(), c);
        return 0;
    }

    private int connect(Producer p, Consumer c) {
        int r = c.addProducer(p);
        if (r != 0) {
            connectFailures++;
            return r;
        }
        connects++;
        return 0;
    }

    public void unregister(Producer p) {
        if (producers.get(p.token()) != p) {
            return;
        }
        producers.remove(p.token());
        Consumer c = consumers.get(p.token());
        if (c != null) {
            c.delProducer(p);
        }
    }

    public void unregister(Consumer c) {
        if (consumers.get(c.token()) != c) {
            return;
        }
        consumers.remove(c.token());
        Producer p = producers.get(c.token());
        if (p != null) {
            c.delProducer(p);
        }
    }

    /** Whether a producer with this token is registered. */
    public boolean hasProducer(EventFd token) {
        return producers.containsKey(token);
    }

    public long connects() {
        return connects;
    }

    public long connectFailures() {
        return connectFailures;
    }
}
