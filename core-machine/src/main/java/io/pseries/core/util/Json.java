package io.pseries.core.util;

import java.util.Collection;
import java.util.Map;

/**
 * Writes plain data (maps with string keys, collections, arrays of primitives, strings,
 * numbers, booleans, null) as JSON. Machine state dumps ({@code pic()}, statistics, device
 * trees) are built as such data and cross to JavaScript as JSON, which GraalJS parses into
 * ordinary JS objects. Kept here instead of a JSON library: the project only ever writes this
 * narrow subset, and the core module stays free of dependencies.
 *
 * <p>Integers beyond 2^53 - 1 in magnitude are written as {@code {"$big": "digits"}}, which the
 * script API turns into a BigInt, so no value loses precision on the way.
 */
public final class Json {
    /** The largest integer a JS number holds exactly (2^53 - 1). */
    public static final long MAX_SAFE = (1L << 53) - 1;

    private Json() {
    }

    public static String write(Object v) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, v);
        return sb.toString();
    }

    public static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Integer i) {
            sb.append(i.intValue());
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long l = ((Number) v).longValue();
            if (l > MAX_SAFE || l < -MAX_SAFE) {
                // beyond a JS number's exact range: the script side revives this as a BigInt
                sb.append("{\"$big\":\"").append(l).append("\"}");
            } else {
                sb.append(l);
            }
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                sb.append("null");
            } else {
                sb.append(d);
            }
        } else if (v instanceof Row r) {
            // a dump's row: its keys (written once, with the row's kind) and values, no entry objects
            for (int i = 0; i < r.width(); i++) {
                sb.append(i == 0 ? '{' : ',').append(r.jsonKey(i));
                write(sb, r.value(i));
            }
            sb.append(r.width() == 0 ? "{}" : "}");
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else if (v.getClass().isArray() && v.getClass().getComponentType().isPrimitive()) {
            sb.append('[');
            int n = java.lang.reflect.Array.getLength(v);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, java.lang.reflect.Array.get(v, i));
            }
            sb.append(']');
        } else if (v instanceof Object[] a) {
            write(sb, java.util.Arrays.asList(a));
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        int plain = 0;
        while (plain < s.length()) {
            char c = s.charAt(plain);
            if (c < 0x20 || c == '"' || c == '\\') {
                break;
            }
            plain++;
        }
        sb.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
