package io.pseries.core.trace;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's trace: a bounded ring of recent events plus per-category listeners.
 *
 * <p>Producing an event costs an allocation, so hot paths first test {@link #on(TraceCategory)}
 * (a plain array read). A category is on when it has a listener or when the ring records
 * every category ({@link #setRingCapacity(int)} greater than zero). Guest errors and
 * unimplemented-feature events are always produced: they are rare and always worth keeping.
 *
 * <p>Threading: the machine is single-threaded; listeners run on the thread that produced the
 * event (the script's thread when a script drives the machine).
 */
public final class Trace {
    private static final Logger LOG = LoggerFactory.getLogger("pseries.guest");

    private final LongSupplier clock;
    /** Bit {@code c.ordinal()} set: category {@code c} is on (one long: the hot-path test is a mask). */
    private long onMask;
    private final Map<TraceCategory, List<Consumer<TraceEvent>>> listeners = new EnumMap<>(TraceCategory.class);
    private TraceEvent[] ring = new TraceEvent[0];
    private int ringNext;
    private long seq;
    private long guestErrors;

    public Trace(LongSupplier clock) {
        this.clock = clock;
        for (TraceCategory c : TraceCategory.values()) {
            listeners.put(c, new CopyOnWriteArrayList<>());
        }
        recompute();
    }

    /** Whether events of this category are wanted right now. Cheap; test it before building fields. */
    public boolean on(TraceCategory c) {
        return (onMask & (1L << c.ordinal())) != 0;
    }

    /**
     * Whether anything takes events now: the ring, or a listener of any category (a parallel IPI
     * run is refused then: events would come from several host threads at once).
     */
    public boolean recording() {
        if (ring.length > 0) {
            return true;
        }
        for (List<Consumer<TraceEvent>> l : listeners.values()) {
            if (!l.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Keeps the last {@code n} events of every category (0 turns the ring off). */
    public void setRingCapacity(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("trace ring capacity must be >= 0, got " + n);
        }
        ring = new TraceEvent[n];
        ringNext = 0;
        recompute();
    }

    public int ringCapacity() {
        return ring.length;
    }

    /** Subscribes to a category; the returned runnable unsubscribes. */
    public Runnable subscribe(TraceCategory c, Consumer<TraceEvent> listener) {
        List<Consumer<TraceEvent>> l = listeners.get(c);
        l.add(listener);
        recompute();
        return () -> {
            l.remove(listener);
            recompute();
        };
    }

    private void recompute() {
        long mask = 0;
        for (TraceCategory c : TraceCategory.values()) {
            if (ring.length > 0 || !listeners.get(c).isEmpty()
                || c == TraceCategory.GUEST_ERROR || c == TraceCategory.UNIMPLEMENTED) {
                mask |= 1L << c.ordinal();
            }
        }
        onMask = mask;
    }

    /** Emits an event; {@code kv} alternates field names and values. */
    public void emit(TraceCategory c, int cpu, String name, Object... kv) {
        if (!on(c)) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            fields.put((String) kv[i], kv[i + 1]);
        }
        TraceEvent ev = new TraceEvent(++seq, clock.getAsLong(), c, cpu, name, fields);
        if (ring.length > 0) {
            ring[ringNext] = ev;
            ringNext = (ringNext + 1) % ring.length;
        }
        if (c == TraceCategory.GUEST_ERROR) {
            guestErrors++;
            LOG.debug("guest error: {}", ev);
        } else if (c == TraceCategory.UNIMPLEMENTED) {
            LOG.debug("unimplemented: {}", ev);
        }
        for (Consumer<TraceEvent> l : listeners.get(c)) {
            l.accept(ev);
        }
    }

    /** Reports a guest error: the architected answer was given, this records what was wrong. */
    public void guestError(int cpu, String what, Object... kv) {
        Object[] all = new Object[kv.length + 2];
        all[0] = "message";
        all[1] = what;
        System.arraycopy(kv, 0, all, 2, kv.length);
        emit(TraceCategory.GUEST_ERROR, cpu, "guest_error", all);
    }

    /**
     * Carries another trace's numbering on in this one: its sequence counter, guest-error count
     * and recorded ring (a machine restored from a checkpoint of the machine {@code from}
     * belonged to, taking its place in a script: its events number on from the old ones).
     * Listeners are not carried: their owner subscribes them again.
     */
    public void continueFrom(Trace from) {
        seq = from.seq;
        guestErrors = from.guestErrors;
        ring = from.ring.clone();
        ringNext = from.ringNext;
        recompute();
    }

    /** The sequence number of the last event produced (0 when none). */
    public long lastSeq() {
        return seq;
    }

    /** How many guest errors were reported since the machine was created. */
    public long guestErrorCount() {
        return guestErrors;
    }

    /** The events still in the ring, oldest first. */
    public List<TraceEvent> recent() {
        List<TraceEvent> out = new ArrayList<>(ring.length);
        for (int i = 0; i < ring.length; i++) {
            TraceEvent e = ring[(ringNext + i) % ring.length];
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }
}
