package io.pseries.core.dev.pci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MSI-X capability of a PCI function (PCI Local Bus 3.0 §6.8.2): its 12 bytes in
 * configuration space, the vector table and the pending-bit array in a memory BAR, and the
 * masking rules of QEMU's MSI-X core that a VMM's device model (vfio-pci) hooks into.
 *
 * <pre>
 *  config  +0 cap id 0x11, next   +2 message control: bits 10:0 table size - 1 (read-only),
 *          bit 14 function mask, bit 15 enable   +4 table offset | BIR   +8 PBA offset | BIR
 *  table   16 bytes per vector: address low, address high, data, vector control (bit 0 masked;
 *          1 after reset). 32-bit accesses (a 64-bit one is two); little-endian, as PCI
 *  PBA     a bit per vector, read-only to the guest
 *  masked(v)  = !enable || function mask || the vector's mask bit
 *  a change of masked(v) ─► the device's notifier: unmasked: use(v, address, data);
 *               masked: release(v); then, unmasked with its pending bit set: the bit clears and
 *               the message is sent
 *  notify(v)  masked ─► pending bit set | else the message is sent (a store of the data to
 *               the address: the PHB's MSI window)
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class MsixCapability {
    public static final int CAP_ID = 0x11;
    public static final int LENGTH = 12;
    public static final int ENTRY_SIZE = 16;
    public static final int CONTROL_ENABLE = 0x8000;
    public static final int CONTROL_MASKALL = 0x4000;
    public static final int VECTOR_MASKED = 1;

    /** What the device model does when a vector becomes usable or unusable (QEMU's vector notifiers). */
    public interface VectorNotifier {
        /** The vector was unmasked with this message; false: the device could not use it. */
        void use(int vector, long address, int data);

        void release(int vector);
    }

    /** Where a message goes when it is sent (a memory write of the data at the address). */
    public interface MessageSink {
        void send(int vector, long address, int data);
    }

    private final int offset;
    private final int entries;
    private final int bar;
    private final int tableOffset;
    private final int pbaOffset;
    private final int[] table;
    private final long[] pba;
    private int control;
    private VectorNotifier notifier;
    private MessageSink sink;

    /**
     * @param offset where the capability sits in configuration space
     * @param entries the table size (1..2048)
     * @param bar the BAR holding table and PBA (its BIR)
     * @param tableOffset the table's offset in that BAR (8-byte aligned)
     * @param pbaOffset the PBA's offset in that BAR (8-byte aligned)
     */
    public MsixCapability(int offset, int entries, int bar, int tableOffset, int pbaOffset) {
        if (entries < 1 || entries > 2048) {
            throw new IllegalArgumentException("an MSI-X table has 1 to 2048 entries, not " + entries);
        }
        this.offset = offset;
        this.entries = entries;
        this.bar = bar;
        this.tableOffset = tableOffset;
        this.pbaOffset = pbaOffset;
        this.table = new int[entries * 4];
        this.pba = new long[(entries + 63) / 64];
        reset();
    }

    public int offset() {
        return offset;
    }

    public int entries() {
        return entries;
    }

    public int bar() {
        return bar;
    }

    public int tableOffset() {
        return tableOffset;
    }

    public int pbaOffset() {
        return pbaOffset;
    }

    /** Bytes of the BAR the table and the PBA span from the table's offset. */
    public int span() {
        return Math.max(tableOffset + entries * ENTRY_SIZE, pbaOffset + pba.length * 8) - tableOffset;
    }

    public void setSink(MessageSink s) {
        sink = s;
    }

    /** Installs the device's notifier and calls use() for every vector already unmasked (msix_set_vector_notifiers). */
    public void setNotifier(VectorNotifier n) {
        notifier = n;
        if (n != null && enabled() && !functionMasked()) {
            for (int v = 0; v < entries; v++) {
                if (!masked(v)) {
                    n.use(v, address(v), data(v));
                }
            }
        }
    }

    /** Removes the notifier, releasing every vector still unmasked (msix_unset_vector_notifiers). */
    public void unsetNotifier() {
        VectorNotifier n = notifier;
        notifier = null;
        if (n != null && enabled() && !functionMasked()) {
            for (int v = 0; v < entries; v++) {
                if (!masked(v)) {
                    n.release(v);
                }
            }
        }
    }

    public boolean enabled() {
        return (control & CONTROL_ENABLE) != 0;
    }

    public boolean functionMasked() {
        return !enabled() || (control & CONTROL_MASKALL) != 0;
    }

    public boolean vectorMasked(int v) {
        return (table[v * 4 + 3] & VECTOR_MASKED) != 0;
    }

    /** Whether vector {@code v} cannot signal now (function masked, or its own mask bit). */
    public boolean masked(int v) {
        return functionMasked() || vectorMasked(v);
    }

    public long address(int v) {
        return (table[v * 4] & 0xffff_ffffL) | ((long) table[v * 4 + 1] << 32);
    }

    public int data(int v) {
        return table[v * 4 + 2];
    }

    public boolean pending(int v) {
        return (pba[v >>> 6] & (1L << (v & 63))) != 0;
    }

    private void setPending(int v, boolean p) {
        if (p) {
            pba[v >>> 6] |= 1L << (v & 63);
        } else {
            pba[v >>> 6] &= ~(1L << (v & 63));
        }
    }

    // ------------------------------------------------------------------ configuration space

    /** Whether configuration-space byte {@code a} belongs to the capability. */
    public boolean covers(int a) {
        return a >= offset && a < offset + LENGTH;
    }

    /** One configuration-space byte of the capability (the caller checked {@link #covers}). */
    public int configByte(int a, int next) {
        int r = a - offset;
        int word;
        switch (r >> 2) {
            case 0 -> word = CAP_ID | (next << 8) | (((entries - 1) | control) << 16);
            case 1 -> word = tableOffset | bar;
            default -> word = pbaOffset | bar;
        }
        return (word >>> (8 * (r & 3))) & 0xff;
    }

    /**
     * A configuration-space write that covers message control (only bits 15:14 are writable),
     * with QEMU's rules: a change of the function mask while enabled updates every vector.
     * Returns the control word before the write.
     */
    public int writeControl(int value) {
        int old = control;
        boolean wasMasked = functionMasked();
        control = value & (CONTROL_ENABLE | CONTROL_MASKALL);
        if (!enabled() || functionMasked() == wasMasked) {
            return old;
        }
        for (int v = 0; v < entries; v++) {
            maskUpdate(v, wasMasked || vectorMasked(v));
        }
        return old;
    }

    // ------------------------------------------------------------------ table and PBA

    /** Whether {@code off} (from the table's offset in its BAR) is in the table. */
    public boolean inTable(long off) {
        return off >= 0 && off < (long) entries * ENTRY_SIZE;
    }

    /** A 32-bit little-endian read at {@code off} from the table's offset (table or PBA). */
    public int read32(long off) {
        if (inTable(off)) {
            return table[(int) (off >>> 2)];
        }
        long p = off - (pbaOffset - tableOffset);
        if (p >= 0 && p < pba.length * 8L) {
            long w = pba[(int) (p >>> 3)];
            return (int) ((p & 4) == 0 ? w : w >>> 32);
        }
        return 0;
    }

    /** A 32-bit little-endian write at {@code off} from the table's offset; the PBA ignores writes. */
    public void write32(long off, int value) {
        if (!inTable(off)) {
            return;
        }
        int v = (int) (off / ENTRY_SIZE);
        boolean wasMasked = masked(v);
        table[(int) (off >>> 2)] = value;
        maskUpdate(v, wasMasked);
    }

    /** msix_set_message: firmware programs a vector's message (no notification). */
    public void setMessage(int v, long address, int data) {
        table[v * 4] = (int) address;
        table[v * 4 + 1] = (int) (address >>> 32);
        table[v * 4 + 2] = data;
    }

    private void maskUpdate(int v, boolean wasMasked) {
        boolean isMasked = masked(v);
        if (isMasked == wasMasked) {
            return;
        }
        if (notifier != null) {
            if (isMasked) {
                notifier.release(v);
            } else {
                notifier.use(v, address(v), data(v));
            }
        }
        if (!isMasked && pending(v)) {
            setPending(v, false);
            notify(v);
        }
    }

    /** msix_notify: the device signals vector {@code v}. */
    public void notify(int v) {
        if (!enabled()) {
            return;
        }
        if (masked(v)) {
            setPending(v, true);
            return;
        }
        if (sink != null) {
            sink.send(v, address(v), data(v));
        }
    }

    // ------------------------------------------------------------------ snapshot state

    /** Message control's writable bits (enable, function mask). */
    public int control() {
        return control;
    }

    /** The vector table as 32-bit words, four per vector (a copy). */
    public int[] tableWords() {
        return table.clone();
    }

    /** The pending-bit array as 64-bit words (a copy). */
    public long[] pbaWords() {
        return pba.clone();
    }

    /** Why this state cannot be this capability's, or null. */
    public String invalid(int ctl, int[] tbl, long[] pb) {
        if ((ctl & ~(CONTROL_ENABLE | CONTROL_MASKALL)) != 0) {
            return String.format("MSI-X message control 0x%x has bits other than enable and function mask", ctl);
        }
        if (tbl.length != table.length || pb.length != pba.length) {
            return "the MSI-X table has " + tbl.length / 4 + " entries and " + pb.length
                + " pending-bit words, this function's has " + entries + " and " + pba.length;
        }
        if (entries % 64 != 0 && (pb[pb.length - 1] >>> (entries % 64)) != 0) {
            return "pending bits are set past the " + entries + " MSI-X vectors";
        }
        return null;
    }

    /**
     * Installs checked snapshot state as it was, without notifications: the device model arms
     * its vectors afterwards from it (the caller removed its notifier first).
     */
    public void restore(int ctl, int[] tbl, long[] pb) {
        if (notifier != null) {
            throw new IllegalStateException("MSI-X state restored while a vector notifier is installed");
        }
        control = ctl;
        System.arraycopy(tbl, 0, table, 0, table.length);
        System.arraycopy(pb, 0, pba, 0, pba.length);
    }

    /** msix_reset: control cleared, every entry zero and masked, nothing pending. */
    public void reset() {
        control = 0;
        java.util.Arrays.fill(table, 0);
        java.util.Arrays.fill(pba, 0);
        for (int v = 0; v < entries; v++) {
            table[v * 4 + 3] = VECTOR_MASKED;
        }
    }

    /** Plain data for scripts. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", enabled());
        m.put("functionMask", (control & CONTROL_MASKALL) != 0);
        List<Integer> masked = new ArrayList<>();
        List<Integer> pending = new ArrayList<>();
        for (int v = 0; v < entries; v++) {
            if (vectorMasked(v)) {
                masked.add(v);
            }
            if (pending(v)) {
                pending.add(v);
            }
        }
        m.put("maskedVectors", masked);
        m.put("pending", pending);
        return m;
    }
}
