package io.pseries.core.trace;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One trace event: when it happened (virtual ns and a global sequence number), what kind it
 * is, on behalf of which vCPU ({@code -1} when none), a short name, and named fields whose
 * values are numbers, strings, booleans or lists of those.
 */
public record TraceEvent(long seq, long timeNs, TraceCategory category, int cpu, String name,
                         Map<String, Object> fields) {

    public TraceEvent {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** A one-line human-readable rendering, stable across runs (used in artifacts and logs). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append('#').append(seq).append(" t=").append(timeNs).append("ns ")
          .append(category.jsName()).append(' ').append(name);
        if (cpu >= 0) {
            sb.append(" cpu=").append(cpu);
        }
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            sb.append(' ').append(e.getKey()).append('=');
            Object v = e.getValue();
            if (v instanceof Long l) {
                sb.append("0x").append(Long.toHexString(l));
            } else if (v instanceof Integer i) {
                sb.append("0x").append(Integer.toHexString(i));
            } else {
                sb.append(v);
            }
        }
        return sb.toString();
    }
}
