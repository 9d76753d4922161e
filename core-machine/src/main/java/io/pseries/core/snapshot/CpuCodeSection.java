package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.pseries.core.cpu.CpuThreads;
import io.pseries.core.isa.ArchState;
import io.pseries.core.isa.Stop;

/**
 * The vCPUs as threads of guest code ({@code m.loadElf}): whether guest code runs, LPCR[ILE] as
 * H_SET_MODE set it, and for each vCPU whose interpreter exists its architected registers
 * ({@link ArchState}), why it stopped, its pending slice (time and order in the scheduler, as the
 * guest model's recorded exception entries) and its instruction budget. Flat arrays over those
 * vCPUs, {@code made} ascending: {@code gpr} 32 each, {@code spr} {@link ArchState#SPR_NAMES},
 * {@code timing} {@link ArchState#TIMING_NAMES}, the stop messages one per line.
 *
 * <p>Added after the PCI sections, so optional: older streams lack it and load as machines with
 * no interpreter made (before it, a snapshot of a machine with a slice pending was refused, and
 * one without lost the interpreters' registers).
 */
final class CpuCodeSection implements SnapshotSection {
    static final String NAME = "cpu/code";
    private static final int GPRS = 32;
    private static final int SPRS = ArchState.SPR_NAMES.size();
    private static final int TIMING = ArchState.TIMING_NAMES.size();
    private static final Stop.Kind[] KINDS = Stop.Kind.values();
    private static final Schema SCHEMA = Schema.of("enabled", FieldType.BOOL, "interruptLittleEndian", FieldType.BOOL,
        "wasReset", FieldType.BOOL, "made", FieldType.INTS, "gpr", FieldType.LONGS, "spr", FieldType.LONGS,
        "cr", FieldType.INTS, "xer", FieldType.LONGS, "dsisr", FieldType.INTS, "ile", FieldType.BYTES,
        "timing", FieldType.LONGS, "stopKind", FieldType.BYTES, "stopPc", FieldType.LONGS, "stopWord", FieldType.INTS,
        "stopMessages", FieldType.STRING, "sliceAt", FieldType.LONGS, "sliceSeq", FieldType.LONGS,
        "budget", FieldType.LONGS);

    private final CpuThreads threads;
    private final ClockSection clock;

    CpuCodeSection(CpuThreads threads, ClockSection clock) {
        this.threads = threads;
        this.clock = clock;
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
        CpuThreads.Saved none = new CpuThreads.Saved(false, false, false, new int[0], new ArchState[0], new long[0],
            new long[0], new long[0]);
        return () -> threads.restore(none);
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        CpuThreads.Saved s = threads.save();
        int n = s.made().length;
        long[] gpr = new long[n * GPRS];
        long[] spr = new long[n * SPRS];
        long[] timing = new long[n * TIMING];
        int[] cr = new int[n];
        long[] xer = new long[n];
        int[] dsisr = new int[n];
        byte[] ile = new byte[n];
        byte[] kind = new byte[n];
        long[] stopPc = new long[n];
        int[] stopWord = new int[n];
        List<String> messages = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            ArchState a = s.cpus()[k];
            System.arraycopy(a.gpr(), 0, gpr, k * GPRS, GPRS);
            System.arraycopy(a.spr(), 0, spr, k * SPRS, SPRS);
            System.arraycopy(a.timing(), 0, timing, k * TIMING, TIMING);
            cr[k] = a.cr();
            xer[k] = a.xer();
            dsisr[k] = a.dsisr();
            ile[k] = (byte) (a.interruptLittleEndian() ? 1 : 0);
            Stop st = a.stop();
            kind[k] = (byte) (st == null ? 0 : st.kind().ordinal() + 1);
            stopPc[k] = st == null ? 0 : st.pc();
            stopWord[k] = st == null ? 0 : st.word();
            // one message per line: a message never holds a line break (they are sentences made here)
            messages.add(st == null ? "" : st.message().replace('\n', ' '));
        }
        w.bool("enabled", s.enabled()).bool("interruptLittleEndian", s.interruptLittleEndian())
            .bool("wasReset", s.wasReset()).ints("made", s.made()).longs("gpr", gpr).longs("spr", spr)
            .ints("cr", cr).longs("xer", xer).ints("dsisr", dsisr).bytes("ile", ile).longs("timing", timing)
            .bytes("stopKind", kind).longs("stopPc", stopPc).ints("stopWord", stopWord)
            .string("stopMessages", String.join("\n", messages)).longs("sliceAt", s.sliceAt())
            .longs("sliceSeq", s.sliceSeq()).longs("budget", s.budget());
    }

    @Override
    public Runnable load(SectionReader r) {
        boolean enabled = r.bool("enabled");
        boolean ileAll = r.bool("interruptLittleEndian");
        boolean wasReset = r.bool("wasReset");
        int[] made = r.ints("made");
        int n = made.length;
        for (int k = 0; k < n; k++) {
            if (made[k] < 0 || made[k] >= threads.count() || (k > 0 && made[k] <= made[k - 1])) {
                throw r.refuse("field 'made' must list vCPU indexes below " + threads.count() + " in ascending order, got "
                    + Arrays.toString(made));
            }
        }
        long[] gpr = r.longs("gpr", n * GPRS);
        long[] spr = r.longs("spr", n * SPRS);
        int[] cr = r.ints("cr", n);
        long[] xer = r.longs("xer", n);
        int[] dsisr = r.ints("dsisr", n);
        byte[] ile = r.bytes("ile", n);
        long[] timing = r.longs("timing", n * TIMING);
        byte[] kind = r.bytes("stopKind", n);
        long[] stopPc = r.longs("stopPc", n);
        int[] stopWord = r.ints("stopWord", n);
        String joined = r.string("stopMessages");
        String[] messages = n == 0 && joined.isEmpty() ? new String[0] : joined.split("\n", -1);
        if (messages.length != n) {
            throw r.refuse("field 'stopMessages' holds " + messages.length + " lines, 'made' " + n + " vCPUs");
        }
        long[] at = r.longs("sliceAt", n);
        long[] seq = r.longs("sliceSeq", n);
        long[] budget = r.longs("budget", n);
        ArchState[] cpus = new ArchState[n];
        for (int k = 0; k < n; k++) {
            int v = made[k];
            if ((ile[k] & 0xff) > 1) {
                throw r.refuse("vCPU " + v + ": field 'ile' is " + (ile[k] & 0xff) + ", not 0 or 1");
            }
            if ((xer[k] & ~0xE00C_007FL) != 0) {
                throw r.refuse(String.format("vCPU %d: XER 0x%x has bits no XER field holds", v, xer[k]));
            }
            int kd = kind[k] & 0xff;
            if (kd > KINDS.length) {
                throw r.refuse("vCPU " + v + ": field 'stopKind' is " + kd + ", not 0 (running) or 1.." + KINDS.length);
            }
            if (kd == 0 && (stopPc[k] != 0 || stopWord[k] != 0)) {
                throw r.refuse("vCPU " + v + ": a running CPU has no stop address or word (" + stopPc[k] + ", " + stopWord[k] + ")");
            }
            if ((kd == 0) != messages[k].isEmpty()) {
                throw r.refuse("vCPU " + v + ": a stop " + (kd == 0 ? "without a kind has" : "of kind " + KINDS[kd - 1]
                    + " needs") + " a message");
            }
            long retired = timing[k * TIMING];
            if (retired < 0 || timing[k * TIMING + 3] < 0 || timing[k * TIMING + 4] < 0 || timing[k * TIMING + 4] > retired) {
                throw r.refuse("vCPU " + v + ": instruction counts or slice start out of range (retired " + retired
                    + ", slice at " + timing[k * TIMING + 3] + " ns after " + timing[k * TIMING + 4] + ")");
            }
            if (budget[k] < 0) {
                throw r.refuse("vCPU " + v + ": field 'budget' is negative (" + budget[k] + ")");
            }
            if (at[k] < -1 || (at[k] >= 0 && (at[k] < clock.loadedNow() || seq[k] < 0 || seq[k] >= clock.loadedSequence()))
                || (at[k] == -1 && seq[k] != -1)) {
                throw r.refuse("vCPU " + v + ": its slice (time " + at[k] + ", order " + seq[k]
                    + ") is not a pending event of the clock section (time " + clock.loadedNow() + ", orders below "
                    + clock.loadedSequence() + ")");
            }
            if (at[k] >= 0 && !enabled) {
                throw r.refuse("vCPU " + v + " has a slice pending while guest code is not enabled");
            }
            Stop stop = kd == 0 ? null : new Stop(KINDS[kd - 1], stopPc[k], stopWord[k], messages[k]);
            cpus[k] = new ArchState(Arrays.copyOfRange(gpr, k * GPRS, (k + 1) * GPRS),
                Arrays.copyOfRange(spr, k * SPRS, (k + 1) * SPRS), cr[k], xer[k], dsisr[k], ile[k] == 1,
                Arrays.copyOfRange(timing, k * TIMING, (k + 1) * TIMING), stop);
        }
        CpuThreads.Saved s = new CpuThreads.Saved(enabled, ileAll, wasReset, made, cpus, at, seq, budget);
        return () -> threads.restore(s);
    }
}
