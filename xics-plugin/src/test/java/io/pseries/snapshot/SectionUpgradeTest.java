package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.snapshot.ConfigSection;
import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.MachineSnapshot;
import io.pseries.core.snapshot.Schema;
import io.pseries.core.snapshot.SectionReader;
import io.pseries.core.snapshot.SectionWriter;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.snapshot.SnapshotSection;

/**
 * The two real section changes since the first snapshot version, and their upgrades:
 * {@code cas} version 2 carries the vCPUs' compatibility PVR (QEMU migrates {@code compat_pvr}:
 * without it a restored machine's post-CAS tree showed the real PVR as {@code cpu-version}), and
 * {@code config} version 2 the rest of the host options and the platform options (without them
 * {@code pseries.restore} built a machine with {@code dtcClean}, {@code esbLoads} ... at their
 * defaults). A version 1 stream of each still loads, upgraded as its machine must have been.
 */
class SectionUpgradeTest {
    private static final long LINUX_COMPAT_PVR_ON_POWER9 = 0x0f000005L;

    private static MachineConfig xive() {
        return MachineConfig.builder().cpus(2).icMode("xive").build();
    }

    private static long cpuVersion(Machine m, int cpu) {
        return m.deviceTree().find("cpus/PowerPC,POWER9@" + cpu).cells("cpu-version")[0];
    }

    /** Writes the {@code cas} section as version 1 did: the vector and the active controller only. */
    private record CasV1(Machine m) implements SnapshotSection {
        @Override
        public String name() {
            return "cas";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Schema schema() {
            return Schema.of("ov5", FieldType.BYTES, "active", FieldType.STRING);
        }

        @Override
        public void save(SectionWriter w) {
            w.bytes("ov5", m.ov5Cas().encode()).string("active", m.icMode());
        }

        @Override
        public Runnable load(SectionReader r) {
            throw new UnsupportedOperationException("writer only");
        }
    }

    /** Writes the {@code config} section as version 1 did (the fields it had). */
    private record ConfigV1(MachineConfig c) implements SnapshotSection {
        @Override
        public String name() {
            return ConfigSection.NAME;
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Schema schema() {
            return Schema.of("cpus", FieldType.U32, "threads", FieldType.U32, "vsmt", FieldType.U32,
                "icMode", FieldType.STRING, "kernelIrqchip", FieldType.STRING, "memory", FieldType.I64,
                "seed", FieldType.I64, "hostXive", FieldType.BOOL, "nrIrqs", FieldType.U32, "devices", FieldType.STRING);
        }

        @Override
        public void save(SectionWriter w) {
            w.u32("cpus", c.cpus()).u32("threads", c.threads()).u32("vsmt", c.vsmt()).string("icMode", c.icMode())
                .string("kernelIrqchip", c.kernelIrqchip()).i64("memory", c.memory()).i64("seed", c.seed())
                .bool("hostXive", c.host().xive()).u32("nrIrqs", c.nrIrqs()).string("devices", ConfigSection.devicesJson(c));
        }

        @Override
        public Runnable load(SectionReader r) {
            throw new UnsupportedOperationException("writer only");
        }
    }

    /** {@code m}'s stream with the sections named like {@code older}'s written by them instead. */
    private static byte[] streamWith(Machine m, SnapshotSection... older) {
        List<SnapshotSection> l = new ArrayList<>(m.snapshotSections());
        for (SnapshotSection o : older) {
            l.replaceAll(s -> s.name().equals(o.name()) ? o : s);
        }
        return MachineSnapshot.save(l);
    }

    @Test
    void theCompatPvrCasChoseSurvivesARestoreAndThePostCasTreeShowsIt() {
        Machine m = Machine.create(xive());
        m.cas(GuestOv5.linuxVector(0x40));
        assertEquals(LINUX_COMPAT_PVR_ON_POWER9, cpuVersion(m, 1));
        Machine fresh = Machine.create(xive());
        fresh.restore(m.snapshot());
        assertEquals(LINUX_COMPAT_PVR_ON_POWER9, fresh.casNegotiation().compatPvr());
        assertEquals(LINUX_COMPAT_PVR_ON_POWER9, cpuVersion(fresh, 0));
        assertEquals(LINUX_COMPAT_PVR_ON_POWER9, cpuVersion(fresh, 1));
    }

    @Test
    void aVersion1CasSectionAfterCasIsUpgradedToTheCompatPvrQemuPicksForLinux() {
        Machine m = Machine.create(xive());
        m.cas(GuestOv5.linuxVector(0x40));
        Machine fresh = Machine.create(xive());
        fresh.restore(streamWith(m, new CasV1(m)));
        assertEquals("xive", fresh.icMode());
        assertEquals(LINUX_COMPAT_PVR_ON_POWER9, fresh.casNegotiation().compatPvr());
        assertFalse(fresh.casNegotiation().preIsa3Guest());
    }

    @Test
    void aVersion1CasSectionBeforeCasHasNoCompatPvr() {
        Machine m = Machine.create(xive());
        Machine fresh = Machine.create(xive());
        fresh.cas(GuestOv5.linuxVector(0x40));
        fresh.restore(streamWith(m, new CasV1(m)));
        assertEquals(0, fresh.casNegotiation().compatPvr());
        assertEquals(0x4e1200L, cpuVersion(fresh, 0), "the real PVR, as before CAS");
    }

    @Test
    void aCompatPvrThePower9CannotRunIsRefusedNamingTheField() {
        Machine m = Machine.create(xive());
        m.cas(GuestOv5.linuxVector(0x40));
        byte[] s = m.snapshot();
        var d = io.pseries.core.snapshot.SnapshotDump.decode(s);
        d.stream().filter(x -> x.name().equals("cas")).findFirst().orElseThrow().values().put("compatPvr", 0x0f000006L);
        Machine fresh = Machine.create(xive());
        SnapshotException e = assertThrows(SnapshotException.class, () -> fresh.restore(io.pseries.core.snapshot.SnapshotDump.encode(d)));
        assertTrue(e.getMessage().contains("cas") && e.getMessage().contains("compatPvr"), e.getMessage());
        assertEquals(0, fresh.casNegotiation().compatPvr(), "the target is unchanged");
    }

    @Test
    void aVersion1ConfigLoadsIntoAMachineWithTheDefaultsItsMachineHad() {
        Machine m = Machine.create(xive());
        byte[] v1 = streamWith(m, new ConfigV1(m.config()));
        Machine fresh = Machine.create(xive());
        fresh.restore(v1);
        assertTrue(ConfigSection.configJson(v1).contains("\"dtcClean\":false"), ConfigSection.configJson(v1));
        assertTrue(ConfigSection.configJson(v1).contains("\"esbMapping\":\"window\""), ConfigSection.configJson(v1));
    }

    @Test
    void aVersion1ConfigIsForeignToAMachineWithoutThoseDefaults() {
        Machine m = Machine.create(xive());
        byte[] v1 = streamWith(m, new ConfigV1(m.config()));
        Machine clean = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").dtcClean(true).build());
        SnapshotException e = assertThrows(SnapshotException.class, () -> clean.restore(v1));
        assertTrue(e.getMessage().contains("dtcClean"), e.getMessage());
    }

    @Test
    void theConfigurationOfAStreamCarriesTheHostAndPlatformOptions() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").dtcClean(true).esbLoads("qemu")
            .build());
        String json = ConfigSection.configJson(m.snapshot());
        for (String s : List.of("\"dtcClean\":true", "\"esbLoads\":\"qemu\"", "\"xVof\":false", "\"pageSize\":65536",
            "\"memSlots\":32767", "\"xicsOnXive\":true")) {
            assertTrue(json.contains(s), s + " in " + json);
        }
        Machine other = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").build());
        SnapshotException e = assertThrows(SnapshotException.class, () -> other.restore(m.snapshot()));
        assertTrue(e.getMessage().contains("foreign stream") && e.getMessage().contains("dtcClean"), e.getMessage());
    }
}
