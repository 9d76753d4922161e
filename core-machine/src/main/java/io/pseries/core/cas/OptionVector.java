package io.pseries.core.cas;

import java.util.Arrays;

/**
 * A PAPR client-architecture-support option vector, held as a bitmap over its option bytes.
 *
 * <p>Bits are named as QEMU's OV_BIT(byte, bit): option byte {@code byte} (1-based) and bit
 * {@code bit} counted from the most significant bit (0) to the least (7). The encoded form,
 * used both by the guest's vector and by the {@code ibm,architecture-vec-5} property, is a
 * length byte ({@code number of option bytes - 1}) followed by option bytes 1..N.
 */
public final class OptionVector {
    /** Option bytes a vector can hold here. */
    public static final int MAX_BYTES = 256;

    /** OV5 byte 23, bit 0: both interrupt modes; only the platform may set it. */
    public static final int OV5_XIVE_BOTH = bit(23, 0);
    /** OV5 byte 23, bit 1: XIVE exploitation mode. */
    public static final int OV5_XIVE_EXPLOIT = bit(23, 1);
    /** OV5 byte 24, bit 1: radix MMU (ISA 3.00). */
    public static final int OV5_MMU_RADIX_300 = bit(24, 1);
    /** Option vector 5 byte 5, 0x20: FORM2 NUMA affinity. */
    public static final int OV5_FORM2_AFFINITY = bit(5, 2);
    /** Option vector 1 byte 3, 0x80: the guest implements ISA 3.00. */
    public static final int OV1_PPC_3_00 = bit(3, 0);

    private final byte[] bytes = new byte[MAX_BYTES + 1];

    /** The bit number of OV_BIT(byte, bit). */
    public static int bit(int optionByte, int bitFromMsb) {
        return (optionByte - 1) * 8 + bitFromMsb;
    }

    public OptionVector() {
    }

    /** A vector with the given option bytes set: {@code of(23, 0x40, 24, 0x40)}. */
    public static OptionVector ofBytes(int... indexValuePairs) {
        OptionVector v = new OptionVector();
        for (int i = 0; i + 1 < indexValuePairs.length; i += 2) {
            v.setByte(indexValuePairs[i], indexValuePairs[i + 1]);
        }
        return v;
    }

    /** Decodes the encoded form (length byte, then option bytes); throws naming the problem. */
    public static OptionVector decode(byte[] encoded) {
        if (encoded.length == 0) {
            throw new IllegalArgumentException("an option vector needs at least its length byte");
        }
        int n = (encoded[0] & 0xff) + 1;
        if (encoded.length - 1 < n) {
            throw new IllegalArgumentException("option vector length byte says " + n
                + " option bytes, but only " + (encoded.length - 1) + " follow");
        }
        OptionVector v = new OptionVector();
        for (int i = 1; i <= n; i++) {
            v.bytes[i] = encoded[i];
        }
        return v;
    }

    public boolean test(int bitNumber) {
        int b = bitNumber / 8 + 1;
        return (bytes[b] & (0x80 >>> (bitNumber % 8))) != 0;
    }

    public void set(int bitNumber) {
        bytes[bitNumber / 8 + 1] |= (byte) (0x80 >>> (bitNumber % 8));
    }

    public void clear(int bitNumber) {
        bytes[bitNumber / 8 + 1] &= (byte) ~(0x80 >>> (bitNumber % 8));
    }

    /** Option byte {@code i} (1-based). */
    public int getByte(int i) {
        return bytes[i] & 0xff;
    }

    public void setByte(int i, int value) {
        if (i < 1 || i > MAX_BYTES) {
            throw new IllegalArgumentException("option byte index must be 1.." + MAX_BYTES + ", got " + i);
        }
        bytes[i] = (byte) value;
    }

    /** The bits set in both vectors. */
    public OptionVector intersect(OptionVector o) {
        OptionVector r = new OptionVector();
        for (int i = 0; i < bytes.length; i++) {
            r.bytes[i] = (byte) (bytes[i] & o.bytes[i]);
        }
        return r;
    }

    public boolean isEmpty() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The encoded form: length byte then option bytes up to the last non-zero one (at least
     * one byte, so an empty vector encodes as {@code [00 00]}, as QEMU writes it).
     */
    public byte[] encode() {
        int last = 1;
        for (int i = MAX_BYTES; i >= 1; i--) {
            if (bytes[i] != 0) {
                last = i;
                break;
            }
        }
        byte[] out = new byte[last + 1];
        out[0] = (byte) (last - 1);
        System.arraycopy(bytes, 1, out, 1, last);
        return out;
    }

    public OptionVector copy() {
        OptionVector v = new OptionVector();
        System.arraycopy(bytes, 0, v.bytes, 0, bytes.length);
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OptionVector v && Arrays.equals(bytes, v.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 1; i <= MAX_BYTES; i++) {
            if (bytes[i] != 0) {
                if (sb.length() > 1) {
                    sb.append(' ');
                }
                sb.append('[').append(i).append("]=").append(String.format("%02x", bytes[i] & 0xff));
            }
        }
        return sb.append(']').toString();
    }
}
