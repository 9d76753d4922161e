package io.pseries.xive;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.Schema;
import io.pseries.core.snapshot.SectionReader;
import io.pseries.core.snapshot.SectionWriter;
import io.pseries.core.snapshot.SnapshotSection;

/**
 * The snapshot sections of the emulated XIVE, after QEMU's vmstate (xive-facts.md section 12.1):
 * {@code xive/source} (status bytes; the LSI map, which claims re-create, is cross-checked),
 * {@code xive/eas} and {@code xive/end} (the tables of {@code spapr-xive}) and one
 * {@code xive/tctx/N} per vCPU (the 64 register bytes). Restore re-derives the presenter's CAM
 * index, the router's caches and, when XIVE is active and emulated, the vCPU inputs; the emulated
 * XIVE needs no other post-load fixup. With the in-kernel device these sections are the VMM's copy:
 * filled from the device before saving and pushed back into it after loading (see
 * {@code SpaprXiveKvm}), so a stream is the same whichever side served the guest.
 */
final class XiveSnapshotSections {
    private static final java.lang.invoke.VarHandle BYTES8 = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
        long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private XiveSnapshotSections() {
    }

    static List<SnapshotSection> of(SpaprXive x) {
        List<SnapshotSection> l = new ArrayList<>();
        l.add(new Source(x));
        l.add(new Tables(x));
        for (int i = 0; i < x.threads(); i++) {
            l.add(new Tctx(x, i));
        }
        return l;
    }

    /** Base of the sections below: version 1, minimum 1. */
    private abstract static class V1 implements SnapshotSection {
        @Override
        public int version() {
            return 1;
        }
    }

    private static final class Source extends V1 {
        private static final Schema SCHEMA = Schema.of("nr_irqs", FieldType.U32, "status", FieldType.BYTES,
            "lsi_map", FieldType.LONGS);
        private final SpaprXive x;

        Source(SpaprXive x) {
            this.x = x;
        }

        @Override
        public String name() {
            return "xive/source";
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public void save(SectionWriter w) {
            XiveSource s = x.source();
            w.u32("nr_irqs", s.nrIrqs()).bytes("status", s.statusBytes()).longs("lsi_map", s.lsiWords());
        }

        @Override
        public Runnable load(SectionReader r) {
            XiveSource s = x.source();
            int n = r.u32("nr_irqs", s.nrIrqs(), s.nrIrqs());
            byte[] st = r.bytes("status", n);
            int bad = firstBeyond(st, 3 | Pq.ASSERTED);
            if (bad >= 0) {
                throw r.refuse(String.format("source 0x%x: status byte 0x%02x has bits other than PQ and ASSERTED",
                    bad, st[bad] & 0xff));
            }
            long[] lsi = r.longs("lsi_map", s.lsiWordCount());
            if (!s.isLsiMap(lsi)) {
                throw r.refuse("foreign stream: its LSI map differs from this machine's claims");
            }
            return () -> s.restoreStatus(st);
        }

        /** The first byte of {@code b} with a bit outside {@code allowed}, or -1: eight bytes a step. */
        private static int firstBeyond(byte[] b, int allowed) {
            long beyond = ~(allowed * 0x0101_0101_0101_0101L);
            int i = 0;
            for (; i + 8 <= b.length; i += 8) {
                if (((long) BYTES8.get(b, i) & beyond) != 0) {
                    break;
                }
            }
            for (; i < b.length; i++) {
                if ((b[i] & ~allowed) != 0) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * The EAS and END tables. Version 2 writes the EAS table sparse: the interrupt numbers whose
     * entry is not all zeros, ascending ({@code eas_lisns}), and those entries ({@code eas}), so a
     * machine configured with 1M numbers of which 1 % are in use writes 10k entries, not 8 MiB.
     * Version 1 wrote every entry ({@code eat}); its streams still load.
     */
    private static final class Tables implements SnapshotSection {
        private static final Schema SCHEMA = Schema.of("nr_irqs", FieldType.U32, "eas_lisns", FieldType.INTS,
            "eas", FieldType.LONGS, "nr_ends", FieldType.U32, "endt", FieldType.INTS, "enqueued", FieldType.I64);
        private final SpaprXive x;

        Tables(SpaprXive x) {
            this.x = x;
        }

        @Override
        public String name() {
            return "xive/tables";
        }

        @Override
        public int version() {
            return 2;
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public void save(SectionWriter w) {
            XiveRouter rt = x.router();
            int[] lisns = rt.writtenEas();
            long[] words = new long[lisns.length];
            for (int k = 0; k < lisns.length; k++) {
                words[k] = rt.eas(lisns[k]);
            }
            w.u32("nr_irqs", rt.nrIrqs()).ints("eas_lisns", lisns).longs("eas", words).u32("nr_ends", rt.nrEnds())
                .ints("endt", rt.endTable()).i64("enqueued", rt.enqueuedCount());
        }

        @Override
        public Runnable load(SectionReader r) {
            XiveRouter rt = x.router();
            int n = r.u32("nr_irqs", rt.nrIrqs(), rt.nrIrqs());
            int[] lisns;
            long[] words;
            if (r.version() == 1) {
                long[] eat = r.longs("eat", n);
                checkClaims(r, rt, eat, n);
                lisns = java.util.stream.IntStream.range(0, n).filter(i -> eat[i] != 0).toArray();
                words = new long[lisns.length];
                for (int k = 0; k < lisns.length; k++) {
                    words[k] = eat[lisns[k]];
                }
            } else {
                lisns = r.ints("eas_lisns");
                words = r.longs("eas", lisns.length);
                checkSparse(r, lisns, words, n);
                if (!claimsAgree(r, rt, lisns, words, n)) {
                    // refused: the whole table, to name the lowest number that differs
                    long[] eat = new long[n];
                    for (int k = 0; k < lisns.length; k++) {
                        eat[lisns[k]] = words[k];
                    }
                    checkClaims(r, rt, eat, n);
                }
            }
            int ne = r.u32("nr_ends", rt.nrEnds(), rt.nrEnds());
            int[] endt = r.ints("endt", ne * End.WORDS);
            long enq = r.i64("enqueued");
            if (enq < 0) {
                throw r.refuse("field 'enqueued' is negative");
            }
            int[] l = lisns;
            long[] ws = words;
            return () -> rt.restoreTables(l, ws, endt, enq);
        }

        /**
         * Whether the numbers valid in the stream's sparse table are exactly those claimed once
         * the stream is in: each listed valid number is claimed then, and there are as many as
         * are claimed then. The cost follows the listed numbers and the run-time MSIs.
         */
        private static boolean claimsAgree(SectionReader r, XiveRouter rt, int[] lisns, long[] words, int n) {
            int valid = 0;
            for (int k = 0; k < lisns.length; k++) {
                if (Eas.valid(words[k])) {
                    valid++;
                    if (!r.claims().claimedAfter(lisns[k], Eas.valid(rt.eas(lisns[k])))) {
                        return false;
                    }
                }
            }
            return valid == r.claims().claimedAfterCount(n, rt.validEasCount(), i -> Eas.valid(rt.eas(i)));
        }

        /** Every number's EAS valid in {@code eat} exactly when it is claimed once the stream is in; else the lowest is named. */
        private static void checkClaims(SectionReader r, XiveRouter rt, long[] eat, int n) {
            for (int i = 0; i < n; i++) {
                // claimed once the stream is in: PCI MSIs follow the stream's PCI sections
                boolean claimed = r.claims().claimedAfter(i, Eas.valid(rt.eas(i)));
                if (Eas.valid(eat[i]) != claimed) {
                    throw r.refuse(String.format("foreign stream: EAS 0x%x is %s in the stream but %s here", i,
                        Eas.valid(eat[i]) ? "valid" : "invalid", claimed ? "claimed" : "free"));
                }
            }
        }

        /** Version 2's sparse EAS table: numbers ascending, below nr_irqs, entries not zero. */
        private static void checkSparse(SectionReader r, int[] lisns, long[] words, int n) {
            int last = -1;
            for (int k = 0; k < lisns.length; k++) {
                int i = lisns[k];
                if (i <= last || i >= n) {
                    throw r.refuse(String.format("field 'eas_lisns': entry %d is 0x%x, %s", k, i,
                        i >= n || i < 0 ? "outside the " + n + " interrupt numbers" : "not above the one before it"));
                }
                if (words[k] == 0) {
                    throw r.refuse(String.format("field 'eas': the entry of EAS 0x%x is zero, which the table does"
                        + " not list", i));
                }
                last = i;
            }
        }
    }

    private static final class Tctx extends V1 {
        private static final Schema SCHEMA = Schema.of("regs", FieldType.BYTES);
        private final SpaprXive x;
        private final int thread;
        private final String name;

        Tctx(SpaprXive x, int thread) {
            this.x = x;
            this.thread = thread;
            this.name = "xive/tctx/" + thread;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public void save(SectionWriter w) {
            w.bytes("regs", x.threadContext(thread).registers());
        }

        @Override
        public Runnable load(SectionReader r) {
            byte[] regs = r.bytes("regs", 64);
            return () -> x.threadContext(thread).restoreRegisters(regs);
        }

        @Override
        public void rederive() {
            x.presenter().refresh(thread);
            // in the kernel the device's own thread contexts drive the vCPUs (post-load pushes them)
            if (x.isActive() && !x.inKernel()) {
                x.threadContext(thread).rederiveOutputs();
            }
        }
    }
}
