package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.pseries.core.Machine;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestOsState;
import io.pseries.core.guest.GuestTiming;

/**
 * The booted guest model ({@link GuestOsState}): {@code booted} false when none (before
 * {@code m.boot()}, after a reset), else its descriptors, counts, per-vCPU clocks and pending
 * exception entries (time and scheduler order: scheduled again on commit, after the clock's).
 * The driver's state is the section {@code guest/DRIVER}. Lists of names are one string, a
 * name per line. Optional: streams from before this section load as "no guest booted".
 */
final class GuestSection implements SnapshotSection, GuestSnapshots {
    static final String NAME = "guest";
    private static final Schema SCHEMA = Schema.of("booted", FieldType.BOOL, "offer", FieldType.STRING,
        "timing", FieldType.LONGS, "driver", FieldType.STRING, "steps", FieldType.STRING,
        "busyUntil", FieldType.LONGS, "exceptionAt", FieldType.LONGS, "exceptionSeq", FieldType.LONGS,
        "ipis", FieldType.LONGS, "exceptions", FieldType.LONGS,
        "countCpu", FieldType.INTS, "countHwirq", FieldType.INTS, "counts", FieldType.LONGS,
        "descHwirq", FieldType.INTS, "descVirq", FieldType.INTS, "descLsi", FieldType.BYTES,
        "descName", FieldType.STRING, "descTarget", FieldType.INTS, "descStarted", FieldType.BYTES,
        "ipiCpu", FieldType.INTS, "ipiHwirq", FieldType.INTS, "nextVirq", FieldType.U32,
        "hasCas", FieldType.BOOL, "casMode", FieldType.STRING, "casRequested", FieldType.U32,
        "casAnswer", FieldType.U32, "casNegotiated", FieldType.BYTES, "casSwitched", FieldType.BOOL,
        "casCompatPvr", FieldType.I64, "casExplicitMatch", FieldType.BOOL);

    private final Machine m;
    private final ClockSection clock;
    private final Set<String> drivers;
    private GuestOsState loaded;

    /** @param drivers the names of the drivers whose state has a section ({@code guest/NAME}) */
    GuestSection(Machine m, ClockSection clock, Set<String> drivers) {
        this.m = m;
        this.clock = clock;
        this.drivers = drivers;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public boolean optional() {
        return true;
    }

    @Override
    public Runnable loadAbsent() {
        loaded = null;
        return () -> { };
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public GuestOs guest() {
        return m.guest();
    }

    @Override
    public GuestOsState loaded() {
        return loaded;
    }

    @Override
    public int cpus() {
        return m.cpus().size();
    }

    @Override
    public void save(SectionWriter w) {
        GuestOs g = m.guest();
        if (g == null) {
            w.bool("booted", false).string("offer", "").longs("timing", new long[0]).string("driver", "")
                .string("steps", "").longs("busyUntil", new long[0]).longs("exceptionAt", new long[0])
                .longs("exceptionSeq", new long[0]).longs("ipis", new long[0]).longs("exceptions", new long[0])
                .ints("countCpu", new int[0]).ints("countHwirq", new int[0]).longs("counts", new long[0])
                .ints("descHwirq", new int[0]).ints("descVirq", new int[0]).bytes("descLsi", new byte[0])
                .string("descName", "").ints("descTarget", new int[0]).bytes("descStarted", new byte[0])
                .ints("ipiCpu", new int[0]).ints("ipiHwirq", new int[0]).u32("nextVirq", 0);
            writeCas(w, null);
            return;
        }
        if (!drivers.contains(g.mode())) {
            throw new SnapshotException(NAME, "the guest's interrupt driver '" + g.mode()
                + "' does not describe its state for snapshots");
        }
        GuestOsState s = GuestOsState.of(g);
        GuestTiming t = s.timing();
        int n = s.descs().size();
        int[] hw = new int[n];
        int[] virq = new int[n];
        byte[] lsi = new byte[n];
        int[] target = new int[n];
        byte[] started = new byte[n];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GuestOsState.Desc d = s.descs().get(i);
            hw[i] = d.hwirq();
            virq[i] = d.virq();
            lsi[i] = (byte) (d.lsi() ? 1 : 0);
            target[i] = d.target();
            started[i] = (byte) (d.started() ? 1 : 0);
            names.add(d.name());
        }
        w.bool("booted", true).string("offer", s.offer())
            .longs("timing", new long[] {t.exceptionEntryNs(), t.mmioNs(), t.hcallNs(), t.rtasNs(), t.handlerNs()})
            .string("driver", s.driver()).string("steps", String.join("\n", s.steps()))
            .longs("busyUntil", s.busyUntil()).longs("exceptionAt", s.exceptionAt())
            .longs("exceptionSeq", s.exceptionSeq()).longs("ipis", s.ipis()).longs("exceptions", s.exceptions())
            .ints("countCpu", s.countCpu()).ints("countHwirq", s.countHwirq()).longs("counts", s.counts())
            .ints("descHwirq", hw).ints("descVirq", virq).bytes("descLsi", lsi)
            .string("descName", String.join("\n", names)).ints("descTarget", target).bytes("descStarted", started)
            .ints("ipiCpu", s.ipiCpu()).ints("ipiHwirq", s.ipiHwirq()).u32("nextVirq", s.nextVirq());
        writeCas(w, s.cas());
    }

    private static void writeCas(SectionWriter w, CasResult c) {
        w.bool("hasCas", c != null).string("casMode", c == null ? "" : c.mode())
            .u32("casRequested", c == null ? 0 : c.requested()).u32("casAnswer", c == null ? 0 : c.answer())
            .bytes("casNegotiated", c == null ? new byte[0] : c.negotiated().encode())
            .bool("casSwitched", c != null && c.switched()).i64("casCompatPvr", c == null ? 0 : c.compatPvr())
            .bool("casExplicitMatch", c != null && c.explicitMatch());
    }

    @Override
    public Runnable load(SectionReader r) {
        loaded = null;
        if (!r.bool("booted")) {
            return () -> { };
        }
        int n = cpus();
        String offer = r.string("offer");
        if (Arrays.stream(GuestOv5.Offer.values()).noneMatch(o -> o.name().equals(offer))) {
            throw r.refuse("field 'offer' is '" + offer + "', not one of " + Arrays.toString(GuestOv5.Offer.values()));
        }
        long[] t = r.longs("timing", 5);
        for (long x : t) {
            if (x < 0) {
                throw r.refuse("field 'timing' has a negative cost (" + x + " ns)");
            }
        }
        String driver = r.string("driver");
        if (!drivers.contains(driver)) {
            throw r.refuse("the guest ran the interrupt driver '" + driver + "', which this version does not have"
                + " (it has " + String.join(", ", drivers) + ")");
        }
        String stepText = r.string("steps");
        List<String> steps = stepText.isEmpty() ? List.of() : List.of(stepText.split("\n", -1));
        long[] busy = r.longs("busyUntil", n);
        long[] at = r.longs("exceptionAt", n);
        long[] seq = r.longs("exceptionSeq", n);
        for (int i = 0; i < n; i++) {
            if (busy[i] < 0) {
                throw r.refuse("field 'busyUntil' of cpu " + i + " is negative");
            }
            if (at[i] >= 0 && (at[i] < clock.loadedNow() || seq[i] < 0 || seq[i] >= clock.loadedSequence())) {
                throw r.refuse("the exception entry of cpu " + i + " (time " + at[i] + ", order " + seq[i]
                    + ") is not a pending event of the clock section (time " + clock.loadedNow()
                    + ", orders below " + clock.loadedSequence() + ")");
            }
            if (at[i] < 0 && (at[i] != -1 || seq[i] != -1)) {
                throw r.refuse("cpu " + i + " has no exception entry but 'exceptionAt'/'exceptionSeq' are "
                    + at[i] + "/" + seq[i] + " (expected -1/-1)");
            }
        }
        long[] ipis = nonNegative(r, "ipis", r.longs("ipis", n));
        long[] exc = nonNegative(r, "exceptions", r.longs("exceptions", n));
        int[] cc = r.ints("countCpu");
        int k = cc.length;
        int[] ch = r.ints("countHwirq", k);
        long[] cv = nonNegative(r, "counts", r.longs("counts", k));
        for (int i = 0; i < k; i++) {
            if (cc[i] < 0 || cc[i] >= n) {
                throw r.refuse("field 'countCpu' names cpu " + cc[i] + ", the machine has " + n);
            }
        }
        int nextVirq = r.u32("nextVirq", GuestOs.IPI_VIRQ + 1, Integer.MAX_VALUE);
        int[] hw = r.ints("descHwirq");
        int d = hw.length;
        int[] virq = r.ints("descVirq", d);
        byte[] lsi = r.bytes("descLsi", d);
        String nameText = r.string("descName");
        List<String> names = d == 0 ? List.of() : List.of(nameText.split("\n", -1));
        if (names.size() != d) {
            throw r.refuse("field 'descName' has " + names.size() + " names for " + d + " interrupts");
        }
        int[] target = r.ints("descTarget", d);
        byte[] started = r.bytes("descStarted", d);
        List<GuestOsState.Desc> descs = new ArrayList<>();
        Set<Integer> hws = new HashSet<>();
        for (int i = 0; i < d; i++) {
            if (virq[i] <= GuestOs.IPI_VIRQ || virq[i] >= nextVirq || (i > 0 && virq[i] <= virq[i - 1])) {
                throw r.refuse("interrupt " + i + " has kernel number " + virq[i] + ": the numbers must rise from "
                    + (GuestOs.IPI_VIRQ + 1) + " and stay below 'nextVirq' " + nextVirq);
            }
            if (!hws.add(hw[i])) {
                throw r.refuse(String.format("hardware number 0x%x is mapped twice", hw[i]));
            }
            if (target[i] < -1 || target[i] >= n || (started[i] != 0 && target[i] < 0)) {
                throw r.refuse("interrupt " + virq[i] + " targets cpu " + target[i] + (started[i] != 0
                    ? " though it is started" : "") + "; the machine has " + n);
            }
            descs.add(new GuestOsState.Desc(hw[i], virq[i], lsi[i] != 0, names.get(i), target[i], started[i] != 0));
        }
        int[] ic = r.ints("ipiCpu");
        int[] ih = r.ints("ipiHwirq", ic.length);
        for (int i = 0; i < ic.length; i++) {
            if (ic[i] < 0 || ic[i] >= n || (i > 0 && ic[i] <= ic[i - 1])) {
                throw r.refuse("field 'ipiCpu' must name distinct cpus below " + n + " in rising order");
            }
        }
        CasResult cas = null;
        if (r.bool("hasCas")) {
            OptionVector ov;
            try {
                ov = OptionVector.decode(r.bytes("casNegotiated"));
            } catch (IllegalArgumentException e) {
                throw r.refuse("field 'casNegotiated': " + e.getMessage());
            }
            cas = new CasResult(r.string("casMode"), r.u32("casRequested"), r.u32("casAnswer"), ov,
                r.bool("casSwitched"), r.i64("casCompatPvr"), r.bool("casExplicitMatch"));
        }
        GuestOsState s = new GuestOsState(offer, new GuestTiming(t[0], t[1], t[2], t[3], t[4]), driver, steps, busy,
            at, seq, ipis, exc, cc, ch, cv, descs, ic, ih, nextVirq, cas);
        loaded = s;
        return () -> m.restoreGuest(s.install(m));
    }

    private static long[] nonNegative(SectionReader r, String field, long[] v) {
        for (long x : v) {
            if (x < 0) {
                throw r.refuse("field '" + field + "' has a negative count (" + x + ")");
            }
        }
        return v;
    }
}
