package io.pseries.script.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;
import io.pseries.core.util.Json;
import io.pseries.core.util.Suggest;

/**
 * The Java half of a machine's state as data: {@code m.snapshot()} and {@code m.restore()},
 * the events ({@code m.on}, {@code m.events()}, {@code m.recordEvents}) and {@code m.pic()}.
 * Like {@link MachineHost} it takes and returns primitives, arrays and JSON strings only, and it
 * always acts on the host's current machine (a checkpoint may have replaced it).
 *
 * <p>Threading: the script's thread; listeners run on it while the machine is inside the call
 * that produced the event, and their exceptions are held by the {@link MachineHost} until that
 * call is done.
 */
public final class StateBinding {
    /**
     * How deep listeners may nest through machine calls (a listener calling the machine, whose
     * event runs a listener...): deeper is a runaway recursion, ended as JS ends one.
     */
    public static final int MAX_LISTENER_NESTING = 32;

    private final MachineHost h;

    StateBinding(MachineHost h) {
        this.h = h;
    }

    // ------------------------------------------------------------------ snapshot

    /** The machine's snapshot stream (see {@code io.pseries.core.snapshot.MachineSnapshot}). */
    @HostAccess.Export
    public byte[] snapshot() {
        return h.machine().snapshot();
    }

    /** Restores a snapshot of a machine of this configuration, or refuses it leaving the machine as it was. */
    @HostAccess.Export
    public void restore(Value buffer) {
        h.machine().restore(Values.bytes(buffer, "m.restore"));
    }

    // ------------------------------------------------------------------ events

    /**
     * Subscribes {@code deliver} (a JS function taking the event as a JSON string) to a
     * category given by its script name.
     */
    @HostAccess.Export
    public Subscription on(String event, Value deliver) {
        StackHeadroom.require("m.on()");
        TraceCategory c = TraceCategory.fromJsName(event);
        if (c == null) {
            List<String> names = TraceCategory.jsNames();
            throw new IllegalArgumentException("unknown event '" + event + "'" + Suggest.didYouMean(event, names)
                + "; valid events: " + String.join(", ", names));
        }
        MachineHost.Nesting nesting = h.nesting();
        return new Subscription(h.subscribe(c, ev -> {
            if (nesting.depth >= MAX_LISTENER_NESTING) {
                h.holdListenerError(new HostErrors.RunawayRecursion(HostErrors.STACK_OVERFLOW + ": listeners nested more than "
                    + MAX_LISTENER_NESTING + " deep through machine calls (a listener calling the machine that"
                    + " fires it again)"));
                return;
            }
            nesting.depth++;
            try {
                StackHeadroom.require("a listener");
                deliver.execute(eventJson(ev));
            } catch (PolyglotException e) {
                if (e.isCancelled() || e.isInterrupted() || e.isExit()) {
                    throw e;
                }
                h.holdListenerError(e);
            } catch (IllegalStateException | IllegalArgumentException | StackOverflowError | HostErrors.RunawayRecursion e) {
                // held, so that the machine finishes the operation that produced the event
                h.holdListenerError(e);
            } finally {
                nesting.depth--;
            }
        }));
    }

    static String eventJson(TraceEvent ev) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("event", ev.category().jsName());
        o.put("name", ev.name());
        o.put("time", ev.timeNs());
        o.put("seq", ev.seq());
        o.put("cpu", ev.cpu() < 0 ? null : ev.cpu());
        for (Map.Entry<String, Object> e : ev.fields().entrySet()) {
            o.putIfAbsent(e.getKey(), e.getValue());
        }
        return Json.write(o);
    }

    @HostAccess.Export
    public String recentEvents() {
        StackHeadroom.require("m.events()");
        List<Object> out = new ArrayList<>();
        for (TraceEvent ev : h.machine().trace().recent()) {
            out.add(eventJson(ev));
        }
        return "[" + String.join(",", out.stream().map(Object::toString).toList()) + "]";
    }

    @HostAccess.Export
    public void traceRing(int n) {
        if (n > PseriesHost.MAX_RECORDED_EVENTS) {
            throw new HostErrors.OutOfRange("m.recordEvents: at most " + PseriesHost.MAX_RECORDED_EVENTS + " events, got " + n);
        }
        h.machine().trace().setRingCapacity(n);
    }

    // ------------------------------------------------------------------ pic

    /** The controller's state now, read by the script in parts (see {@link PicView}). */
    @HostAccess.Export
    public PicView pic() {
        StackHeadroom.require("m.pic()");
        return new PicView(h.machine().pic());
    }

    @HostAccess.Export
    public String picText() {
        StackHeadroom.require("m.pic()");
        return h.machine().activeController().picText();
    }
}
