package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.IrqLines;

/**
 * The device interrupt lines the configuration claims: which numbers (with their kind) and each
 * line's level and raise count. Claims come from the configuration's devices, so the stream's must
 * equal this machine's. MSIs the guest allocated at run time (ibm,change-msi) are not here: the
 * PCI sections ({@code pci/...}) hold them with their lines and re-make them.
 */
final class IrqLinesSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("irqs", FieldType.INTS, "lsi", FieldType.BYTES,
        "levels", FieldType.BYTES, "raises", FieldType.LONGS);

    private final IrqLines lines;

    IrqLinesSection(IrqLines lines) {
        this.lines = lines;
    }

    @Override
    public String name() {
        return "irq/lines";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    /** The lines the configuration claimed (run-time MSIs left out), in number order. */
    private List<IrqLine> configured() {
        List<IrqLine> l = new ArrayList<>();
        for (IrqLine x : lines.all().values()) {
            if (!lines.space().isMsiAllocated(x.irq())) {
                l.add(x);
            }
        }
        return l;
    }

    @Override
    public void save(SectionWriter w) {
        List<IrqLine> all = configured();
        int n = all.size();
        int[] irqs = new int[n];
        byte[] lsi = new byte[n];
        byte[] levels = new byte[n];
        long[] raises = new long[n];
        int i = 0;
        for (IrqLine l : all) {
            irqs[i] = l.irq();
            lsi[i] = (byte) (l.lsi() ? 1 : 0);
            levels[i] = (byte) (l.level() ? 1 : 0);
            raises[i] = l.raiseCount();
            i++;
        }
        w.ints("irqs", irqs).bytes("lsi", lsi).bytes("levels", levels).longs("raises", raises);
    }

    /**
     * The two claim lists in a line a user can read whatever their size: both counts, then the
     * first few numbers only one side claims.
     */
    static String difference(int[] stream, int[] mine) {
        java.util.TreeSet<Integer> only = new java.util.TreeSet<>();
        java.util.Set<Integer> a = new java.util.HashSet<>();
        java.util.Set<Integer> b = new java.util.HashSet<>();
        for (int x : stream) {
            a.add(x);
        }
        for (int x : mine) {
            b.add(x);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("the stream has ").append(stream.length).append(", this machine ").append(mine.length);
        for (String side : new String[] {"stream", "machine"}) {
            only.clear();
            for (int x : side.equals("stream") ? stream : mine) {
                if (!(side.equals("stream") ? b : a).contains(x)) {
                    only.add(x);
                }
            }
            if (!only.isEmpty()) {
                int[] first = only.stream().limit(8).mapToInt(Integer::intValue).toArray();
                sb.append("; only in the ").append(side.equals("stream") ? "stream" : "machine").append(": ")
                    .append(hex(first)).append(only.size() > 8 ? " and " + (only.size() - 8) + " more" : "");
            }
        }
        return sb.toString();
    }

    @Override
    public Runnable load(SectionReader r) {
        List<IrqLine> all = configured();
        int n = all.size();
        int[] irqs = r.ints("irqs");
        int[] mine = all.stream().mapToInt(IrqLine::irq).toArray();
        if (!Arrays.equals(irqs, mine)) {
            throw r.refuse("foreign stream: its claimed interrupts differ from this machine's: " + difference(irqs, mine));
        }
        byte[] lsi = r.bytes("lsi", n);
        byte[] levels = r.bytes("levels", n);
        long[] raises = r.longs("raises", n);
        IrqLine[] byIndex = all.toArray(new IrqLine[0]);
        for (int i = 0; i < n; i++) {
            if ((lsi[i] != 0) != byIndex[i].lsi() || (lsi[i] & 0xfe) != 0) {
                throw r.refuse(String.format("interrupt 0x%x: field 'lsi' is %d, this machine's line is %s", irqs[i],
                    lsi[i], byIndex[i].lsi() ? "level (LSI)" : "message (MSI)"));
            }
            if ((levels[i] & 0xfe) != 0 || raises[i] < 0) {
                throw r.refuse(String.format("interrupt 0x%x: level %d or raise count %d is not valid", irqs[i],
                    levels[i], raises[i]));
            }
        }
        return () -> {
            for (int i = 0; i < n; i++) {
                byIndex[i].restore(levels[i] != 0, raises[i]);
            }
        };
    }

    private static String hex(int[] a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < a.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format("0x%x", a[i]));
        }
        return sb.append(']').toString();
    }
}
