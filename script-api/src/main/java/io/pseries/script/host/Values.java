package io.pseries.script.host;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.Value;

/** Converts script values (plain JS data) into Java data: maps, lists, numbers, strings, booleans. */
public final class Values {
    private Values() {
    }

    /**
     * A plain-data copy of a JS value. Objects become {@code Map<String,Object>} (insertion
     * order kept), arrays become lists, integral numbers {@code Long}, BigInts {@code Long} or
     * {@code BigInteger}, other numbers {@code Double}. Functions and host objects are errors
     * naming {@code where} they were found.
     */
    public static Object toJava(Value v, String where) {
        return toJava(v, where, 0);
    }

    /** Deeper than this, options are a cycle or a mistake (no option nests more than a few levels). */
    static final int MAX_DEPTH = 16;
    /** The most elements an options array may have (more devices than IRQs exist, for one). */
    static final int MAX_ELEMENTS = 4096;

    private static Object toJava(Value v, String where, int depth) {
        if (depth > MAX_DEPTH) {
            throw new HostErrors.OutOfRange(where + ": nested more than " + MAX_DEPTH + " levels deep (a cycle?)");
        }
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isString()) {
            return v.asString();
        }
        if (v.isNumber()) {
            if (v.fitsInLong()) {
                return v.asLong();
            }
            if (v.fitsInDouble()) {
                return v.asDouble();
            }
            if (v.fitsInBigInteger()) {
                return v.asBigInteger();
            }
            throw new IllegalArgumentException(where + ": unsupported number " + v);
        }
        if (v.canExecute()) {
            throw new IllegalArgumentException(where + ": a function is not allowed here");
        }
        if (v.hasHashEntries()) {
            // a Map's entries are not members: read as an object it would silently be empty
            throw new IllegalArgumentException(where + ": a Map is not accepted; write a plain object such as { type: 'spapr-vty' }");
        }
        if (v.hasArrayElements()) {
            long n = v.getArraySize();
            if (n > MAX_ELEMENTS) {
                throw new HostErrors.OutOfRange(where + ": at most " + MAX_ELEMENTS + " elements, got " + n);
            }
            List<Object> l = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                l.add(toJava(v.getArrayElement(i), where + "[" + i + "]", depth + 1));
            }
            return l;
        }
        if (v.hasMembers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (v.getMemberKeys().size() > MAX_ELEMENTS) {
                throw new HostErrors.OutOfRange(where + ": at most " + MAX_ELEMENTS + " keys, got " + v.getMemberKeys().size());
            }
            for (String k : v.getMemberKeys()) {
                Value e = v.getMember(k);
                if (e == null || (e.canExecute() && !e.hasArrayElements())) {
                    throw new IllegalArgumentException(where + "." + k + ": a function is not allowed here");
                }
                if (e.isNull() && "undefined".equals(e.toString())) {
                    continue;
                }
                m.put(k, toJava(e, where + "." + k, depth + 1));
            }
            return m;
        }
        throw new IllegalArgumentException(where + ": unsupported value " + v);
    }

    /** The bytes of a JS ArrayBuffer. */
    static byte[] bytes(Value v, String what) {
        if (v == null || !v.hasBufferElements()) {
            throw new IllegalArgumentException(what + ": expected the bytes of a snapshot, got " + v);
        }
        long n = v.getBufferSize();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + ": " + n + " bytes is too large for a snapshot");
        }
        byte[] b = new byte[(int) n];
        for (int i = 0; i < b.length; i++) {
            b[i] = v.readBufferByte(i);
        }
        return b;
    }

    /** A JS value as a Java long, accepting integral numbers and BigInts in [-2^63, 2^64). */
    public static long toLong(Value v, String what) {
        if (v.isNumber()) {
            if (v.fitsInLong()) {
                return v.asLong();
            }
            if (v.fitsInBigInteger()) {
                BigInteger b = v.asBigInteger();
                if (b.signum() >= 0 && b.bitLength() <= 64) {
                    return b.longValue();
                }
            }
        }
        throw new IllegalArgumentException(what + " must be an integer (number or BigInt) that fits 64 bits, got " + v);
    }
}
