package io.pseries.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.MachineConfig;

/**
 * Section versions: a loader at version 2 loads a stream written at version 1 through its
 * upgrade; a stream newer than the loader, or older than its minimum, is refused naming the
 * section; at the current version the fields must be exactly the schema's.
 */
class SectionVersionTest {

    /** A counter component: version 1 wrote a u32 "count"; version 2 writes an i64 "total" and a "unit". */
    static final class Counter implements SnapshotSection {
        final int version;
        final int minVersion;
        long total;
        String unit = "events";
        boolean committed;

        Counter(int version, int minVersion, long total) {
            this.version = version;
            this.minVersion = minVersion;
            this.total = total;
        }

        @Override
        public String name() {
            return "counter";
        }

        @Override
        public int version() {
            return version;
        }

        @Override
        public int minVersion() {
            return minVersion;
        }

        @Override
        public Schema schema() {
            return version == 1 ? Schema.of("count", FieldType.U32)
                : Schema.of("total", FieldType.I64, "unit", FieldType.STRING);
        }

        @Override
        public void save(SectionWriter w) {
            if (version == 1) {
                w.u32("count", (int) total);
            } else {
                w.i64("total", total).string("unit", unit);
            }
        }

        @Override
        public Runnable load(SectionReader r) {
            long t;
            String u;
            if (r.version() == 1) {
                // the upgrade: v1's u32 count becomes v2's total (unsigned), the unit defaults
                t = r.u32("count") & 0xffffffffL;
                u = "events";
            } else {
                t = r.i64("total");
                u = r.string("unit");
            }
            return () -> {
                total = t;
                unit = u;
                committed = true;
            };
        }
    }

    private static List<SnapshotSection> sections(SnapshotSection s) {
        List<SnapshotSection> l = new ArrayList<>();
        l.add(new ConfigSection(MachineConfig.defaults()));
        l.add(s);
        return l;
    }

    @Test
    void aVersion2SectionLoadsAVersion1StreamThroughItsUpgrade() {
        byte[] v1 = MachineSnapshot.save(sections(new Counter(1, 1, 0xfffffff0L)));
        Counter v2 = new Counter(2, 1, 0);
        v2.unit = "before";
        MachineSnapshot.restore(sections(v2), v1, () -> { });
        assertEquals(0xfffffff0L, v2.total);
        assertEquals("events", v2.unit);
    }

    @Test
    void aStreamNewerThanTheLoaderIsRefusedNamingTheSection() {
        byte[] v2 = MachineSnapshot.save(sections(new Counter(2, 1, 7)));
        Counter v1 = new Counter(1, 1, 3);
        SnapshotException e = assertThrows(SnapshotException.class,
            () -> MachineSnapshot.restore(sections(v1), v2, () -> { }));
        assertEquals("counter", e.section());
        assertTrue(e.getMessage().contains("too new: written at version 2"), e.getMessage());
        assertEquals(3, v1.total);
        assertTrue(!v1.committed);
    }

    @Test
    void aStreamOlderThanTheLoadersMinimumIsRefused() {
        byte[] v1 = MachineSnapshot.save(sections(new Counter(1, 1, 7)));
        Counter v3 = new Counter(3, 2, 5);
        SnapshotException e = assertThrows(SnapshotException.class,
            () -> MachineSnapshot.restore(sections(v3), v1, () -> { }));
        assertTrue(e.getMessage().contains("too old: written at version 1, this version loads from 2"), e.getMessage());
        assertEquals(5, v3.total);
    }

    @Test
    void atTheCurrentVersionAFieldOutsideTheSchemaIsRefused() {
        byte[] s = MachineSnapshot.save(sections(new Counter(2, 1, 7)));
        List<SnapshotDump.Section> d = SnapshotDump.decode(s);
        d.get(1).values().put("extra", 1);
        d.get(1).types().put("extra", FieldType.U32);
        Counter c = new Counter(2, 1, 9);
        SnapshotException e = assertThrows(SnapshotException.class,
            () -> MachineSnapshot.restore(sections(c), SnapshotDump.encode(d), () -> { }));
        assertTrue(e.getMessage().contains("field 'extra' is not in the schema of version 2"), e.getMessage());
        assertEquals(9, c.total);
    }

    @Test
    void aFieldOfAnotherTypeIsRefused() {
        byte[] s = MachineSnapshot.save(sections(new Counter(2, 1, 7)));
        List<SnapshotDump.Section> d = SnapshotDump.decode(s);
        d.get(1).values().put("unit", 1);
        d.get(1).types().put("unit", FieldType.U32);
        SnapshotException e = assertThrows(SnapshotException.class,
            () -> MachineSnapshot.restore(sections(new Counter(2, 1, 0)), SnapshotDump.encode(d), () -> { }));
        assertTrue(e.getMessage().contains("field 'unit' is u32, the schema says string"), e.getMessage());
    }

    @Test
    void aWriterCannotWriteAFieldItsSchemaDoesNotDeclare() {
        SectionWriter w = new SectionWriter("counter", Schema.of("count", FieldType.U32));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.i64("count", 1));
        assertTrue(e.getMessage().contains("declares u32"), e.getMessage());
        assertThrows(IllegalStateException.class, w::finish);
    }

    @Test
    void anotherConfigurationIsAForeignStream() {
        byte[] s = MachineSnapshot.save(sections(new Counter(2, 1, 7)));
        List<SnapshotSection> other = new ArrayList<>();
        other.add(new ConfigSection(MachineConfig.builder().cpus(2).build()));
        Counter c = new Counter(2, 1, 1);
        other.add(c);
        SnapshotException e = assertThrows(SnapshotException.class, () -> MachineSnapshot.restore(other, s, () -> { }));
        assertEquals("config", e.section());
        assertTrue(e.getMessage().contains("foreign stream: it was taken from a machine with cpus 1, this machine has 2"),
            e.getMessage());
        assertEquals(1, c.total);
    }
}
