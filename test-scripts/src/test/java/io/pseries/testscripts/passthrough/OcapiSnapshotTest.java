package io.pseries.testscripts.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.OcapiRfcHcalls;
import io.pseries.core.dev.pci.SpaprPhb;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.host.HostConfig;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.snapshot.ConfigSection;
import io.pseries.core.snapshot.FieldType;
import io.pseries.core.snapshot.HostGroupSnapshot;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;

/**
 * Snapshots of machines with {@code experimental: ['ocapi-rfc-2019']}: the section
 * {@code ocapi/ID} of each AFU function, the configuration's {@code experimental} (version 3)
 * and the host stream's {@code afuContexts} (host/physical version 2), with their refusals and
 * upgrades. The behaviour across restores and migrations is in ocapi.test.js.
 */
class OcapiSnapshotTest {
    private static final String AFU = "0000:03:00.0";
    private static final String SECTION = "ocapi/vfio0";

    static PhysicalHost afuHost() {
        return PhysicalHost.of(HostConfig.POWER9, List.of(Map.of("addr", AFU, "msix", 0, "intx", false,
            "ocapi", Map.of("irqs", 8))));
    }

    private static MachineConfig config(String kernelIrqchip, String icMode) {
        return MachineConfig.builder().cpus(2).icMode(icMode).kernelIrqchip(kernelIrqchip)
            .experimental(List.of("ocapi-rfc-2019")).device("vfio-pci", Map.of("host", AFU)).build();
    }

    static Machine vm(PhysicalHost h, String kernelIrqchip) {
        return vm(h, kernelIrqchip, "xive");
    }

    /** A booted VM of {@code icMode} on {@code h} with the AFU passed through. */
    static Machine vm(PhysicalHost h, String kernelIrqchip, String icMode) {
        Machine m = Machine.create(config(kernelIrqchip, icMode), h);
        m.boot(io.pseries.core.guest.GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        return m;
    }

    static long ocxl(Machine m, long op, long... more) {
        SpaprPhb phb = m.phb();
        long[] args = new long[3 + more.length];
        args[0] = phb.buid();
        args[1] = phb.devices().get(0).configAddress();
        args[2] = op;
        System.arraycopy(more, 0, args, 3, more.length);
        var r = m.hcall(0, OcapiRfcHcalls.H_OCXL_CONFIG_ADAPTER, args);
        assertEquals(PaprRc.H_SUCCESS, r.rc(), "H_OCXL_CONFIG_ADAPTER " + op);
        return r.rets()[0];
    }

    /** A booted VM with two AFU irqs and one more allocated and freed (its number and offset are holes). */
    private static Machine withAfuIrqs(PhysicalHost h, String kernelIrqchip) {
        Machine m = vm(h, kernelIrqchip);
        long first = ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ);
        ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ);
        ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ);
        ocxl(m, OcapiRfcHcalls.OP_FREE_IRQ, first);
        return m;
    }

    static byte[] mutated(byte[] stream, String section, Consumer<SnapshotDump.Section> change) {
        List<SnapshotDump.Section> d = SnapshotDump.decode(stream);
        change.accept(d.stream().filter(s -> s.name().equals(section)).findFirst().orElseThrow());
        return SnapshotDump.encode(d);
    }

    /**
     * A stream's sections as comparable text, host/kvm left out (each snapshot of an in-kernel VM
     * counts its own attribute calls there).
     */
    private static List<String> state(byte[] stream) {
        List<String> l = new ArrayList<>();
        for (SnapshotDump.Section s : SnapshotDump.decode(stream)) {
            if (s.name().equals("host/kvm")) {
                continue;
            }
            for (Map.Entry<String, Object> e : s.values().entrySet()) {
                Object v = e.getValue();
                String text = v instanceof byte[] b ? java.util.Arrays.toString(b) : v instanceof int[] i
                    ? java.util.Arrays.toString(i) : v instanceof long[] x ? java.util.Arrays.toString(x) : String.valueOf(v);
                l.add(s.name() + "." + e.getKey() + "=" + text);
            }
        }
        return l;
    }

    @Test
    void anAfuIrqSurvivesAHostGroupCheckpointOnItsHostInterruptAndTriggerPage() {
        PhysicalHost h = afuHost();
        Machine m = withAfuIrqs(h, "on");
        List<Map<String, Object>> before = m.ocapi().info();
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h, HostGroupSnapshot.save(h, List.of(m)),
            List.of(m.config()));
        Machine fresh = r.machines().get(0);
        assertEquals(before, fresh.ocapi().info());
        assertEquals(h.function(AFU).afu().available(), r.host().function(AFU).afu().available());
        assertEquals(1, r.host().function(AFU).afu().contexts());
        long trigger = (Long) before.get(0).get("triggerPage");
        assertTrue(r.host().function(AFU).afu().afuStore(trigger), "the restored host's AFU has that trigger page");
    }

    /**
     * The host IPI a freed AFU irq left is a hole below the live one: the restored VM's in-kernel
     * device allocates its own IPIs around it, so the next ALLOC_IRQ gets that host IPI (and
     * trigger page) as it does without the checkpoint.
     */
    @Test
    void theHostIpiAFreedAfuIrqLeftIsTheNextOneAllocatedAfterAHostGroupCheckpoint() {
        PhysicalHost h = afuHost();
        Machine m = withAfuIrqs(h, "on");
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h, HostGroupSnapshot.save(h, List.of(m)),
            List.of(m.config()));
        Machine fresh = r.machines().get(0);
        assertEquals(m.ocapi().info(), fresh.ocapi().info());
        assertEquals(ocxl(m, OcapiRfcHcalls.OP_ALLOC_IRQ), ocxl(fresh, OcapiRfcHcalls.OP_ALLOC_IRQ));
        assertEquals(m.ocapi().info(), fresh.ocapi().info(), "the third AFU irq's host IPI and trigger page");
    }

    /** A host stream whose host/vm/N is version 2 (no ipiHoles) still loads, with the AFU irqs where they were. */
    @Test
    void aVersion2HostVmStreamLoadsAsOneWithoutHoles() {
        PhysicalHost h = afuHost();
        Machine m = withAfuIrqs(h, "on");
        HostGroupSnapshot.Saved s = HostGroupSnapshot.save(h, List.of(m));
        List<SnapshotDump.Section> d = new ArrayList<>();
        for (SnapshotDump.Section x : SnapshotDump.decode(s.host())) {
            if (x.name().equals("host/vm/0")) {
                assertTrue(((int[]) x.values().get("ipiHoles")).length > 0, "the freed AFU irq left a hole");
                Map<String, Object> values = new LinkedHashMap<>(x.values());
                Map<String, FieldType> types = new LinkedHashMap<>(x.types());
                for (String f : List.of("ipiHoles", "deviceSources")) {
                    values.remove(f);
                    types.remove(f);
                }
                x = new SnapshotDump.Section(x.name(), 2, x.minVersion(), values, types);
            }
            d.add(x);
        }
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h,
            new HostGroupSnapshot.Saved(SnapshotDump.encode(d), s.machines()), List.of(m.config()));
        Machine fresh = r.machines().get(0);
        assertEquals(m.ocapi().info(), fresh.ocapi().info());
        assertEquals(4, SnapshotDump.decode(HostGroupSnapshot.save(r.host(), r.machines()).host()).get(1).version(),
            "written again at the current version, 4");
    }

    @Test
    void aCorruptOcapiSectionIsRefusedWholeNamingItAndTheTargetIsUnchanged() {
        PhysicalHost h = afuHost();
        Machine m = withAfuIrqs(h, "on");
        byte[] good = m.snapshot();
        byte[] baseline = m.snapshot();
        List<Map<String, Object>> info = m.ocapi().info();
        int available = h.function(AFU).afu().available();
        Map<String, Consumer<SnapshotDump.Section>> corruptions = new LinkedHashMap<>();
        corruptions.put("one guest interrupt twice", s -> {
            int[] l = ((int[]) s.values().get("lisns")).clone();
            l[1] = l[0];
            s.values().put("lisns", l);
        });
        corruptions.put("a guest interrupt outside the MSI range", s -> {
            int[] l = ((int[]) s.values().get("lisns")).clone();
            l[0] = 0x10;
            s.values().put("lisns", l);
        });
        corruptions.put("an offset between two AFU irqs", s -> {
            long[] l = ((long[]) s.values().get("offsets")).clone();
            l[0] += 8;
            s.values().put("offsets", l);
        });
        corruptions.put("no host interrupt number", s -> {
            int[] l = ((int[]) s.values().get("hwIrqs")).clone();
            l[0] = 0;
            s.values().put("hwIrqs", l);
        });
        corruptions.put("one host interrupt twice", s -> {
            int[] l = ((int[]) s.values().get("hwIrqs")).clone();
            l[1] = l[0];
            s.values().put("hwIrqs", l);
        });
        corruptions.put("a level that is no bit", s -> s.values().put("levels", new byte[] {2, 0}));
        corruptions.put("an irq less in one array", s -> s.values().put("raises", new long[] {0}));
        corruptions.put("irqs without a context", s -> s.values().put("context", false));
        for (Map.Entry<String, Consumer<SnapshotDump.Section>> c : corruptions.entrySet()) {
            SnapshotException e = assertThrows(SnapshotException.class,
                () -> m.restore(mutated(good, SECTION, c.getValue())), c.getKey());
            assertTrue(e.getMessage().startsWith("snapshot section '" + SECTION + "': "), c.getKey() + ": " + e.getMessage());
            assertEquals(info, m.ocapi().info(), c.getKey() + ": the target's AFU irqs are unchanged");
            assertEquals(available, h.function(AFU).afu().available(), c.getKey() + ": the AFU's credit is unchanged");
        }
        assertEquals(state(baseline), state(m.snapshot()), "every refusal left the machine exactly as it was");
    }

    @Test
    void aStreamTakenWithTheRfcIsForeignToAMachineWithoutItAndTheOtherWayRound() {
        Machine with = withAfuIrqs(afuHost(), "on");
        Machine without = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").kernelIrqchip("on")
            .device("vfio-pci", Map.of("host", AFU)).build(), afuHost());
        SnapshotException e = assertThrows(SnapshotException.class, () -> without.restore(with.snapshot()));
        assertTrue(e.getMessage().contains("'config'") && e.getMessage().contains("experimental"), e.getMessage());
        SnapshotException back = assertThrows(SnapshotException.class, () -> with.restore(without.snapshot()));
        assertTrue(back.getMessage().contains("experimental"), back.getMessage());
        assertTrue(ConfigSection.configJson(with.snapshot()).contains("\"experimental\":[\"ocapi-rfc-2019\"]"),
            ConfigSection.configJson(with.snapshot()));
    }

    @Test
    void aVersion2ConfigStreamLoadsAsOneWithNoExperimentalOption() {
        PhysicalHost h = afuHost();
        Machine plain = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").build(), h);
        byte[] v2 = SnapshotDump.encode(SnapshotDump.decode(plain.snapshot()).stream().map(s -> {
            if (!s.name().equals(ConfigSection.NAME)) {
                return s;
            }
            Map<String, Object> values = new LinkedHashMap<>(s.values());
            Map<String, FieldType> types = new LinkedHashMap<>(s.types());
            values.remove("experimental");
            types.remove("experimental");
            return new SnapshotDump.Section(s.name(), 2, 1, values, types);
        }).toList());
        Machine fresh = Machine.create(plain.config(), afuHost());
        fresh.restore(v2);
        assertFalse(ConfigSection.configJson(v2).contains("experimental"), ConfigSection.configJson(v2));
        assertThrows(SnapshotException.class, () -> Machine.create(config("off", "xive"), afuHost()).restore(v2),
            "a version 2 stream had no experimental option: foreign to a machine with one");
    }

    @Test
    void aVersion1HostStreamLoadsAsNoAfuContextOpen() {
        PhysicalHost h = afuHost();
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").build(), h);
        HostGroupSnapshot.Saved saved = HostGroupSnapshot.save(h, List.of(m));
        byte[] v1 = SnapshotDump.encode(SnapshotDump.decode(saved.host()).stream().map(s -> {
            if (!s.name().equals("host/physical")) {
                return s;
            }
            Map<String, Object> values = new LinkedHashMap<>(s.values());
            Map<String, FieldType> types = new LinkedHashMap<>(s.types());
            values.remove("afuContexts");
            types.remove("afuContexts");
            return new SnapshotDump.Section(s.name(), 1, 1, values, types);
        }).toList());
        HostGroupSnapshot.Restored r = HostGroupSnapshot.restoreAsCheckpoint(h,
            new HostGroupSnapshot.Saved(v1, saved.machines()), List.of(m.config()));
        assertEquals(0, r.host().function(AFU).afu().contexts());
    }

    @Test
    void aHostStreamCountingAnAfuContextNoRestoredVmOpensIsRefused() {
        PhysicalHost h = afuHost();
        Machine m = withAfuIrqs(h, "off");
        HostGroupSnapshot.Saved saved = HostGroupSnapshot.save(h, List.of(m));
        byte[] more = mutated(saved.host(), "host/physical", s -> s.values().put("afuContexts", new int[] {2}));
        SnapshotException e = assertThrows(SnapshotException.class, () -> HostGroupSnapshot.restoreAsCheckpoint(h,
            new HostGroupSnapshot.Saved(more, saved.machines()), List.of(m.config())));
        assertTrue(e.getMessage().contains("had 2 context(s) open, the restored VMs opened 1"), e.getMessage());
    }

    /** Candidate changes of a field of ocapi/ID: another AFU irq's place, another IPI, another number... */
    private static List<Object> candidates(Object v) {
        List<Object> l = new ArrayList<>();
        if (v instanceof Boolean b) {
            l.add(!b);
        } else if (v instanceof byte[] a) {
            for (int mask : new int[] {1, 2, 3}) {
                byte[] c = a.clone();
                c[0] ^= (byte) mask;
                l.add(c);
            }
        } else if (v instanceof int[] a) {
            for (int delta : new int[] {1, 2, 3, 5, 8}) {
                int[] c = a.clone();
                c[0] += delta;
                l.add(c);
            }
        } else if (v instanceof long[] a) {
            for (long delta : new long[] {1, 0x10000, 0x20000, 0x100000}) {
                long[] c = a.clone();
                c[0] += delta;
                l.add(c);
            }
        }
        return l;
    }

    /**
     * A guest number is cross-checked by the controllers' sections (their source state, EAS, for
     * that number): changed alone it makes a foreign stream, as a PCI function's msiFirst.
     */
    private static final Set<String> CROSS_CHECKED = Set.of("lisns");

    /**
     * Generated over every field of ocapi/ID, as SnapshotFieldMutationTest does for the other
     * sections: the field is changed in the stream, the stream restored into a fresh machine on a
     * fresh host, and the machine's own snapshot must carry the changed value (no field is
     * silently dropped), or, for {@link #CROSS_CHECKED}, every change must be refused.
     * {@code context} is tried on a VM whose context holds no irq (with irqs a stream without a
     * context is refused).
     */
    @Test
    void everyFieldOfTheOcapiSectionIsCarriedByTheRestoredMachine() {
        Set<String> all = new TreeSet<>();
        Set<String> seen = new TreeSet<>();
        Map<String, String> lost = new LinkedHashMap<>();
        Set<String> crossCarried = new TreeSet<>();
        for (boolean empty : new boolean[] {false, true}) {
            Machine m = withAfuIrqs(afuHost(), "on");
            if (empty) {
                for (Map<String, Object> i : m.ocapi().info()) {
                    ocxl(m, OcapiRfcHcalls.OP_FREE_IRQ, ((Number) i.get("guestIrq")).longValue());
                }
            }
            byte[] good = m.snapshot();
            SnapshotDump.Section s = SnapshotDump.decode(good).stream().filter(x -> x.name().equals(SECTION))
                .findFirst().orElseThrow();
            for (Map.Entry<String, FieldType> f : s.types().entrySet()) {
                String key = f.getKey();
                all.add(key);
                Object orig = s.values().get(key);
                if (empty != key.equals("context")) {
                    continue;
                }
                for (Object cand : candidates(orig)) {
                    byte[] changed = mutated(good, SECTION, x -> x.values().put(key, cand));
                    Machine fresh = Machine.create(m.config(), afuHost());
                    try {
                        fresh.restore(changed);
                    } catch (SnapshotException e) {
                        lost.put(key, "refused: " + e.getMessage());
                        continue;
                    }
                    if (CROSS_CHECKED.contains(key)) {
                        crossCarried.add(key);
                    }
                    Object after = SnapshotDump.decode(fresh.snapshot()).stream().filter(x -> x.name().equals(SECTION))
                        .findFirst().orElseThrow().values().get(key);
                    if (Objects.deepEquals(cand, after)) {
                        seen.add(key);
                        break;
                    }
                    lost.put(key, "restored but the machine's snapshot has the "
                        + (Objects.deepEquals(orig, after) ? "original" : "another") + " value");
                }
            }
        }
        Set<String> notCovered = new TreeSet<>(all);
        notCovered.removeAll(seen);
        notCovered.removeAll(CROSS_CHECKED);
        assertEquals(Set.of(), notCovered, "fields no change reached the machine with: " + lost);
        assertEquals(Set.of(), crossCarried, "cross-checked fields a changed stream got through with");
        assertEquals(6, all.size(), "ocapi/ID has 6 fields: " + all);
    }
}
