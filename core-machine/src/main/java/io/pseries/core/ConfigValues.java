package io.pseries.core;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the value of a machine option, as a script wrote it (a JS value converted to a Java
 * boolean, string, integer type, double or BigInteger), is read as a boolean, a string, a
 * checked integer, a 64-bit pattern or a size; and how a refusal names the option, the value as
 * the script wrote it and what is valid.
 *
 * <p>Stateless; any thread.
 */
final class ConfigValues {
    private ConfigValues() {
    }

    /** "invalid machine option {option}: {value}; expected {valid}". */
    static IllegalArgumentException bad(String option, Object value, String valid) {
        return badValue("machine option " + option, value, valid);
    }

    /** "invalid {what}: {value as the script wrote it}; expected {valid}". */
    static IllegalArgumentException badValue(String what, Object value, String valid) {
        return new IllegalArgumentException("invalid " + what + ": " + asWritten(value) + "; expected " + valid);
    }

    /**
     * A value as a script wrote it: numbers as JS prints them ({@code 1e+300},
     * {@code 9223372036854775808}), big integers as BigInt literals.
     */
    static String asWritten(Object v) {
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e21) {
                return new java.math.BigDecimal(d).toPlainString();
            }
            String j = Double.toString(d);
            int e = j.indexOf('E');
            if (e < 0) {
                return j;
            }
            String mant = j.substring(0, e).replaceAll("\\.0$", "");
            String exp = j.substring(e + 1);
            return mant + "e" + (exp.startsWith("-") ? exp : "+" + exp);
        }
        if (v instanceof java.math.BigInteger b) {
            return b + "n";
        }
        return String.valueOf(v);
    }

    static boolean bool(String option, Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw bad(option, v, "true or false");
    }

    static String string(String option, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw bad(option, v, "a string");
    }

    /** An integer machine option, from a Java integer type or an integral double. */
    static long integer(String option, Object v, long min, long max) {
        return integerValue("machine option " + option, v, min, max);
    }

    /**
     * An integer from a Java integer type or an integral double, checked exactly (a double
     * beyond the long range is refused, never clamped); {@code what} names it in the error,
     * e.g. "boot option timing.mmioNs".
     */
    static long integerValue(String what, Object v, long min, long max) {
        long l;
        String expected = "an integer from " + min + " to " + max;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            l = ((Number) v).longValue();
        } else if (v instanceof java.math.BigInteger bi && bi.bitLength() < 64) {
            l = bi.longValue();
        } else if (v instanceof Double d && d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63) {
            l = d.longValue();
        } else {
            throw badValue(what, v, expected);
        }
        if (l < min || l > max) {
            throw badValue(what, v, expected);
        }
        return l;
    }

    /** A 64-bit value (the seed): any integer from -2^63 to 2^64-1, kept as its 64-bit pattern. */
    static long bits64(String option, Object v) {
        String expected = "an integer from -9223372036854775808 to 18446744073709551615 (64 bits)";
        if (v instanceof java.math.BigInteger bi) {
            if (bi.signum() >= 0 ? bi.bitLength() <= 64 : bi.bitLength() <= 63) {
                return bi.longValue();
            }
            throw bad(option, v, expected);
        }
        if (v instanceof Double d && d == Math.rint(d) && d >= -0x1p63 && d < 0x1p64) {
            return new java.math.BigDecimal(d).toBigInteger().longValue();
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw bad(option, v, expected);
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    /** A size given as a number of bytes or a string such as {@code '512M'} or {@code '1G'}. */
    static long parseSize(String option, Object v) {
        if (v instanceof String s) {
            Matcher mm = SIZE.matcher(s.trim());
            if (!mm.matches()) {
                throw bad(option, "'" + s + "'", "a size such as '512M', '1G' or a number of bytes");
            }
            long n;
            try {
                n = Long.parseLong(mm.group(1));
            } catch (NumberFormatException e) {
                throw bad(option, "'" + s + "'", "a size up to 1T, such as '512M' or '1G'");
            }
            int shift = switch (mm.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            if (n > (Long.MAX_VALUE >> shift)) {
                throw bad(option, "'" + s + "'", "a size up to 1T");
            }
            return n << shift;
        }
        return integer(option, v, 0, Long.MAX_VALUE);
    }
}
