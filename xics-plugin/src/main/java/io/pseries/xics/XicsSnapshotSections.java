package io.pseries.xics;

import java.util.ArrayList;
import java.util.List;

import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.Schema;
import io.pseries.core.snapshot.SectionReader;
import io.pseries.core.snapshot.SectionWriter;
import io.pseries.core.snapshot.SnapshotSection;

/**
 * The snapshot sections of the emulated XICS, after QEMU's vmstate (xive-facts.md section 12.2):
 * {@code xics/ics} (per source: server, priority, saved priority, status, flags as flat arrays;
 * the flags, which claims set, are cross-checked) and one {@code xics/icp/N} per vCPU (XIRR,
 * pending priority, MFRR). Restore re-derives the ICS resend set and each ICP's output, then,
 * as QEMU's post_load, runs {@code icp_resend} on every ICP when XICS is the active controller.
 */
final class XicsSnapshotSections {
    private XicsSnapshotSections() {
    }

    static List<SnapshotSection> of(SpaprXics x) {
        List<SnapshotSection> l = new ArrayList<>();
        l.add(new Sources(x));
        for (int c = 0; c < x.icp().cpus(); c++) {
            l.add(new Server(x, c));
        }
        return l;
    }

    private static final class Sources implements SnapshotSection {
        private static final Schema SCHEMA = Schema.of("nr_irqs", FieldType.U32, "server", FieldType.INTS,
            "priority", FieldType.BYTES, "saved_priority", FieldType.BYTES, "status", FieldType.BYTES,
            "flags", FieldType.BYTES);
        private final SpaprXics x;

        Sources(SpaprXics x) {
            this.x = x;
        }

        @Override
        public String name() {
            return "xics/ics";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public void save(SectionWriter w) {
            Ics ics = x.ics();
            w.u32("nr_irqs", ics.nrIrqs()).ints("server", ics.servers()).bytes("priority", ics.priorities())
                .bytes("saved_priority", ics.savedPriorities()).bytes("status", ics.statuses())
                .bytes("flags", ics.flagBytes());
        }

        @Override
        public Runnable load(SectionReader r) {
            int n = r.u32("nr_irqs", x.ics().nrIrqs(), x.ics().nrIrqs());
            int[] srv = r.ints("server", n);
            byte[] prio = r.bytes("priority", n);
            byte[] saved = r.bytes("saved_priority", n);
            byte[] st = r.bytes("status", n);
            byte[] flags = r.bytes("flags", n);
            // the kinds once the stream is in: PCI MSIs follow the stream's PCI sections
            byte[] mine = x.ics().flagBytes();
            for (int i = 0; i < n; i++) {
                boolean now = (mine[i] & Ics.FLAGS_MASK) != 0;
                if (r.claims().claimedAfter(i + Ics.OFFSET, now) != now) {
                    mine[i] = (byte) (now ? 0 : Ics.FLAG_MSI);
                }
            }
            if (!java.util.Arrays.equals(flags, mine)) {
                throw r.refuse("foreign stream: its source kinds (flags) differ from this machine's claims");
            }
            int known = Ics.STATUS_ASSERTED | Ics.STATUS_SENT | Ics.STATUS_REJECTED | Ics.STATUS_MASKED_PENDING;
            for (int i = 0; i < n; i++) {
                if ((st[i] & ~known) != 0) {
                    throw r.refuse(String.format("source 0x%x: status 0x%02x has unknown bits", i + Ics.OFFSET,
                        st[i] & 0xff));
                }
                if (srv[i] != 0 && x.icp().cpuOf(srv[i]) < 0) {
                    throw r.refuse(String.format("source 0x%x targets server %d, which this machine does not have",
                        i + Ics.OFFSET, srv[i]));
                }
            }
            return () -> x.ics().restoreSources(srv, prio, saved, st);
        }
    }

    private static final class Server implements SnapshotSection {
        private static final Schema SCHEMA = Schema.of("xirr", FieldType.U32, "pending_priority", FieldType.U8,
            "mfrr", FieldType.U8);
        private final SpaprXics x;
        private final int cpu;
        private final String name;

        Server(SpaprXics x, int cpu) {
            this.x = x;
            this.cpu = cpu;
            this.name = "xics/icp/" + cpu;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public void save(SectionWriter w) {
            Icp icp = x.icp();
            w.u32("xirr", icp.xirr(cpu)).u8("pending_priority", icp.pending(cpu)).u8("mfrr", icp.mfrr(cpu));
        }

        @Override
        public Runnable load(SectionReader r) {
            int xirr = r.u32("xirr");
            int pending = r.u8("pending_priority");
            int mfrr = r.u8("mfrr");
            int xisr = xirr & 0xffffff;
            if (xisr != 0 && xisr != XicsRules.IPI && (xisr < Ics.OFFSET || xisr >= Ics.OFFSET + x.ics().nrIrqs())) {
                throw r.refuse(String.format("field 'xirr' 0x%08x presents source 0x%x, which is neither the IPI nor an"
                    + " ICS source", xirr, xisr));
            }
            return () -> x.icp().restore(cpu, xirr, pending, mfrr);
        }

        @Override
        public void rederive() {
            if (x.isActive()) {
                x.icp().resend(cpu);
            }
        }
    }
}
