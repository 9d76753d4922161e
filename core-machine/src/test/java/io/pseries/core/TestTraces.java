package io.pseries.core;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/** Small helpers the machine-level tests share: recording trace events, reading a message, byte literals. */
public final class TestTraces {
    private TestTraces() {
    }

    /** Every event of category {@code c} the machine emits from now on, in order. */
    public static List<TraceEvent> record(Machine m, TraceCategory c) {
        List<TraceEvent> l = new ArrayList<>();
        m.on(c, l::add);
        return l;
    }

    /** The event's {@code message} field as text. */
    public static String message(TraceEvent e) {
        return String.valueOf(e.fields().get("message"));
    }

    /** A byte array from int literals (each taken modulo 256). */
    public static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
