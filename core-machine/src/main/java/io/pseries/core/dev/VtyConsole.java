package io.pseries.core.dev;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.IntConsumer;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.PaprRc;

/**
 * The guest console: the character stream of the {@code spapr-vty} devices, written through
 * the {@code H_PUT_TERM_CHAR} hcall and RTAS {@code display-character}, read through
 * {@code H_GET_TERM_CHAR}, as QEMU's spapr_vty.c serves them.
 *
 * <p>{@code H_PUT_TERM_CHAR(reg, len, chars0_7, chars8_15)}: up to 16 bytes, most significant
 * byte of R6 first; {@code len > 16} or a reg that is not a vty answers {@code H_PARAMETER}.
 * Reg 0 means the vty with the lowest reg when no device has reg 0 (QEMU's allowance for early
 * kernel debug output). {@code H_GET_TERM_CHAR(reg)} returns in R4 how many bytes (at most 16)
 * and in R5/R6 the bytes, packed the same way. All vtys share one stream here (the machine's
 * console). Output is kept as text (one char per byte) and passed to an optional listener as
 * it arrives.
 *
 * <p>Threading: the machine's thread.
 */
public final class VtyConsole {
    public static final int H_GET_TERM_CHAR = 0x54;
    public static final int H_PUT_TERM_CHAR = 0x58;
    private static final int MAX_CHARS = 16;

    private final List<Device> devices;
    private final StringBuilder out = new StringBuilder();
    private final ArrayDeque<Integer> in = new ArrayDeque<>();
    private IntConsumer listener;

    /** @param devices the machine's devices (the vtys among them are looked up at each call) */
    public VtyConsole(List<Device> devices) {
        this.devices = devices;
    }

    public void register(HcallTable t) {
        t.register(H_PUT_TERM_CHAR, "H_PUT_TERM_CHAR", 0, this::putTermChar);
        t.register(H_GET_TERM_CHAR, "H_GET_TERM_CHAR", 3, this::getTermChar);
    }

    /** Everything written so far. */
    public String text() {
        return out.toString();
    }

    /** Replaces the output so far (a snapshot restore); the listener is not told. */
    public void restore(String text) {
        out.setLength(0);
        out.append(text);
    }

    /** Receives each byte the guest writes (the CLI streams the console with it); null for none. */
    public void setListener(IntConsumer l) {
        listener = l;
    }

    /** One byte of output (also what RTAS display-character writes). */
    public void put(int b) {
        out.append((char) (b & 0xFF));
        if (listener != null) {
            listener.accept(b & 0xFF);
        }
    }

    /** Queues bytes for the guest to read with H_GET_TERM_CHAR. */
    public void type(byte[] bytes) {
        for (byte b : bytes) {
            in.add(b & 0xFF);
        }
    }

    /** The vty device a reg names, with QEMU's reg-0 default, or null. */
    VioDevice lookup(long reg) {
        VioDevice lowest = null;
        for (Device d : devices) {
            if (d instanceof VioDevice v && v.type().equals("spapr-vty")) {
                if (v.reg() == reg) {
                    return v;
                }
                if (lowest == null || v.reg() < lowest.reg()) {
                    lowest = v;
                }
            }
        }
        return reg == 0 ? lowest : null;
    }

    private long putTermChar(VCpu cpu, long[] a) {
        long len = a[1];
        if (Long.compareUnsigned(len, MAX_CHARS) > 0) {
            return PaprRc.H_PARAMETER;
        }
        if (lookup(a[0]) == null) {
            return PaprRc.H_PARAMETER;
        }
        for (int i = 0; i < len; i++) {
            long word = i < 8 ? a[2] : a[3];
            put((int) (word >>> (56 - 8 * (i % 8))));
        }
        return PaprRc.H_SUCCESS;
    }

    private long getTermChar(VCpu cpu, long[] a) {
        if (lookup(a[0]) == null) {
            return PaprRc.H_PARAMETER;
        }
        long w0 = 0;
        long w1 = 0;
        int n = 0;
        while (n < MAX_CHARS && !in.isEmpty()) {
            long b = in.poll();
            if (n < 8) {
                w0 |= b << (56 - 8 * n);
            } else {
                w1 |= b << (56 - 8 * (n - 8));
            }
            n++;
        }
        a[0] = n;
        a[1] = w0;
        a[2] = w1;
        return PaprRc.H_SUCCESS;
    }
}
