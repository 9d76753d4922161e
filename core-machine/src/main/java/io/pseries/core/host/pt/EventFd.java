package io.pseries.core.host.pt;

import java.util.ArrayList;
import java.util.List;

/**
 * One eventfd of the simulated host kernel ({@code struct eventfd_ctx}): a counter that a
 * signal increments and that wakes every waiter. Its identity is what the irqbypass manager
 * matches producers and consumers by (the "token"), so two eventfds are never equal even with
 * the same counter. A process names it by a file descriptor in its own table
 * ({@link io.pseries.core.host.VmmProcess#eventFd}); another process's descriptor number means
 * nothing there.
 *
 * <pre>
 *  signal() ─► count + 1 ─► every waiter, in registration order
 *              (KVM's irqfd: kvm_set_irq in the kernel; the VMM's poll loop: a wakeup of user space)
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class EventFd {
    private static long nextId = 1;

    private long id;
    private final String owner;
    private long count;
    private long signals;
    private final List<Runnable> waiters = new ArrayList<>();

    /** A new eventfd created by {@code owner} outside any host (tests): numbered from a process-wide count. */
    public EventFd(String owner) {
        this(owner, nextStandaloneId());
    }

    /** A new eventfd created by {@code owner} (a process name, for reports), numbered {@code id} by its host. */
    public EventFd(String owner, long id) {
        this.id = id;
        this.owner = owner;
    }

    private static synchronized long nextStandaloneId() {
        return nextId++;
    }

    /** A host-wide number for reports (the context pointer's stand-in); never reused on its host. */
    public long id() {
        return id;
    }

    public String owner() {
        return owner;
    }

    /** {@code eventfd_signal}: the counter goes up and every waiter runs. */
    public void signal() {
        count++;
        signals++;
        for (Runnable w : List.copyOf(waiters)) {
            w.run();
        }
    }

    /** A read(2) by the poller: the counter's value, reset to 0. */
    public long read() {
        long c = count;
        count = 0;
        return c;
    }

    /** A host-group checkpoint's restore: the host number the source's eventfd had (reports only: identity is the object). */
    public void restoreId(long id) {
        if (id <= 0) {
            throw new IllegalArgumentException("an eventfd's host number is positive: " + id);
        }
        this.id = id;
    }

    /** A host-group checkpoint's restore: the count the source's eventfd held unread. */
    public void restoreCount(long c) {
        if (c < 0) {
            throw new IllegalArgumentException("an eventfd count is not negative: " + c);
        }
        count = c;
    }

    /** The count not read yet (what a read(2) would return; 0 when none). */
    public long pending() {
        return count;
    }

    /** Signals since creation. */
    public long signals() {
        return signals;
    }

    public void addWaiter(Runnable w) {
        waiters.add(w);
    }

    public void removeWaiter(Runnable w) {
        waiters.remove(w);
    }

    @Override
    public String toString() {
        return "eventfd#" + id;
    }
}
