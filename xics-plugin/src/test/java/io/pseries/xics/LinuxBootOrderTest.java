package io.pseries.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import java.util.LinkedHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.MachineConfig.DeviceConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.guest.GuestTiming;
import io.pseries.core.reference.LinuxBootOps;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * The model's guest boots like Linux 6.1 on QEMU 7.2: its interrupt-controller control
 * operations (hcalls, RTAS calls, CAS, unimplemented hcalls), aligned in order with the ones
 * QEMU traced while Linux booted the same configuration ({@code reference/linux-boot/*.ops.txt}),
 * match at least 95 % of the reference list with all their arguments, EISNs included, and the
 * model issues little else. The tail of each reference list is the guest's init script (three
 * affinity moves, then in XIVE mode the debugfs read of every source), which the test plays
 * through the guest's own API as the script did.
 */
class LinuxBootOrderTest {

    /** The configuration of the reference boots (reference/linux-boot/README.md). */
    static Machine observed(String icMode) {
        return observed(icMode, 4);
    }

    static Machine observed(String icMode, int cpus) {
        return Machine.create(MachineConfig.builder().cpus(cpus).icMode(icMode).devices(List.of(
            DeviceConfig.of("spapr-vty"), DeviceConfig.of("spapr-vlan"),
            DeviceConfig.of("virtio-net-pci"),
            new DeviceConfig("pci-bridge", Map.of("id", "br0")),
            new DeviceConfig("virtio-blk-pci", Map.of("bus", "br0", "addr", 3L, "vectors", 0L)))).build());
    }

    static List<TraceEvent> record(Machine m) {
        List<TraceEvent> l = new ArrayList<>();
        for (TraceCategory c : List.of(TraceCategory.HCALL, TraceCategory.RTAS, TraceCategory.CAS, TraceCategory.UNIMPLEMENTED)) {
            m.on(c, l::add);
        }
        return l;
    }

    /** The init script of the reference boots: LSI, virtio-net RX and ibmveth to CPU 1, then debugfs. */
    static void initScript(Machine m) {
        m.guest().setAffinity(0x1200, 1);
        m.guest().setAffinity(0x1301, 1);
        m.guest().setAffinity(0x1102, 1);
        m.guest().debugfsInterrupts();
    }

    static Stream<Arguments> boots() {
        return Stream.of(
            Arguments.of("xive", GuestOv5.Offer.BOTH, "xive"),
            Arguments.of("xics", GuestOv5.Offer.BOTH, "xics"),
            // dual: CAS picks what the guest asks, and the guest then drives that controller alone
            Arguments.of("dual", GuestOv5.Offer.BOTH, "xive"),
            Arguments.of("dual", GuestOv5.Offer.LEGACY, "xics"));
    }

    @ParameterizedTest(name = "ic-mode {0}, guest offers {1}: aligns with Linux's {2} list")
    @MethodSource("boots")
    void controlOperationsAlignWithLinuxOnQemu(String icMode, GuestOv5.Offer offer, String list) {
        Machine m = observed(icMode);
        List<TraceEvent> events = record(m);
        m.boot(new GuestOs.BootOptions(offer, GuestTiming.DEFAULT));
        initScript(m);
        List<String> ref = LinuxBootOps.reference(list + "_smp4.ops.txt");
        List<String> model = LinuxBootOps.model(events);
        LinuxBootOps.Alignment a = LinuxBootOps.align(ref, model);
        System.out.println("LinuxBootOrderTest " + icMode + "/" + offer + " vs " + list + ": " + a);
        String detail = a + "\nmissing from the model:\n  " + String.join("\n  ", a.missing())
            + "\nextra in the model:\n  " + String.join("\n  ", a.extra());
        assertTrue(a.ofReference() >= 0.95, detail);
        assertTrue(a.ofModel() >= 0.95, detail);
    }

    /** The first H_INT_SET_SOURCE_CONFIG per LISN, as "lisn>target eisn". */
    static Map<Long, String> firstSourceConfigs(List<TraceEvent> events) {
        Map<Long, String> out = new LinkedHashMap<>();
        for (TraceEvent e : events) {
            if (e.category() == TraceCategory.HCALL && e.name().equals("H_INT_SET_SOURCE_CONFIG")) {
                List<?> a = (List<?>) e.fields().get("args");
                long lisn = ((Number) a.get(1)).longValue();
                out.putIfAbsent(lisn, String.format("%x>%d eisn %x", lisn, ((Number) a.get(2)).longValue(), ((Number) a.get(4)).longValue()));
            }
        }
        return out;
    }

    /**
     * XIVE, any vCPU count: kernel numbers follow the map order (IPI 0x10, the PHB's INTx lines
     * at probe, EPOW, the VIO bus, hot-plug, then the MSIs as virtio-net queries them), and the
     * request order (EPOW, hot-plug, console, virtio-net's vectors, the virtio-blk LSI, ibmveth)
     * deals the targets round-robin over the vCPUs (qemu-observed: smp 8 continues up to vCPU 7).
     */
    @ParameterizedTest(name = "{0} vCPUs")
    @ValueSource(ints = {1, 4, 8})
    void xive_eisnsAreVirqsInMapOrder_targetsRoundRobinInRequestOrder(int cpus) {
        Machine m = observed("xive", cpus);
        List<TraceEvent> events = record(m);
        m.boot(GuestOs.BootOptions.defaults());
        long[][] requested = {{0x1000, 0x13}, {0x1001, 0x17}, {0x1100, 0x14}, {0x1300, 0x18}, {0x1301, 0x19},
            {0x1302, 0x1a}, {0x1200, 0x11}, {0x1102, 0x16}};
        List<String> want = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            want.add(String.format("%x>%d eisn 10", c, c));
        }
        for (int i = 0; i < requested.length; i++) {
            want.add(String.format("%x>%d eisn %x", requested[i][0], i % cpus, requested[i][1]));
        }
        assertEquals(want, new ArrayList<>(firstSourceConfigs(events).values()));
    }

    /**
     * XICS, any vCPU count: every device starts on server 0 at priority 5, and virtio-net's
     * hint (its one queue pair on every online CPU) re-programs its receive and transmit vectors
     * to the first CPU of the mask; each secondary is asked about before it is started.
     */
    @ParameterizedTest(name = "{0} vCPUs")
    @ValueSource(ints = {1, 4, 8})
    void xics_devicesOnServer0_hintsReprogramQueueVectors_secondariesQueriedBeforeStart(int cpus) {
        Machine m = observed("xics", cpus);
        List<TraceEvent> events = record(m);
        m.boot(GuestOs.BootOptions.defaults());
        List<String> model = LinuxBootOps.model(events);
        for (String op : model) {
            if (op.startsWith("write_xive")) {
                assertTrue(op.endsWith("server 0x0 prio 0x5"), op);
            }
        }
        List<String> msi = model.stream().filter(o -> o.matches("write_xive irq 0x130[12] .*")).toList();
        assertEquals(List.of(1301, 1301, 1301, 1302, 1302, 1302, 1301, 1302), msi.stream()
            .map(o -> Integer.parseInt(o.substring("write_xive irq 0x".length(), "write_xive irq 0x".length() + 4))).toList(),
            "start-up (three writes) of each queue vector, then one write per hint: " + msi);
        List<String> cpuCalls = new ArrayList<>();
        for (TraceEvent e : events) {
            if (e.category() == TraceCategory.RTAS && (e.name().equals("query-cpu-stopped-state") || e.name().equals("start-cpu"))) {
                cpuCalls.add(e.name() + " " + ((List<?>) e.fields().get("args")).get(0));
            }
        }
        List<String> want = new ArrayList<>();
        for (int c = 1; c < cpus; c++) {
            want.add("query-cpu-stopped-state " + c);
            want.add("start-cpu " + c);
        }
        assertEquals(want, cpuCalls);
    }

    /**
     * PCI probe: the PHB's INTx line of each function is queried and masked as it is mapped
     * (0x1200 for virtio-net at 00:00.0, 0x1201 for the bridge at 00:01.0; virtio-blk at 01:03.0
     * swizzles onto 0x1200, already mapped), before any MSI is set up; MSIs are turned off only
     * for functions with an INTx line and ibm,req#msi or ibm,req#msi-x (virtio-blk with
     * vectors=0 has neither, and gets no ibm,change-msi at all).
     */
    @org.junit.jupiter.api.Test
    void pciProbe_mapsEachIntxOnce_disablesMsiOnlyWhereFirmwareCouldHaveSetItUp() {
        Machine m = observed("xive");
        List<TraceEvent> events = record(m);
        m.boot(GuestOs.BootOptions.defaults());
        List<String> probe = new ArrayList<>();
        for (TraceEvent e : events) {
            List<?> a = (List<?>) e.fields().get("args");
            if (e.category() == TraceCategory.RTAS && e.name().equals("ibm,change-msi")) {
                probe.add(String.format("change-msi %x fn %s n %s", ((Number) a.get(0)).longValue(), a.get(3), a.get(4)));
            } else if (e.category() == TraceCategory.HCALL && (e.name().equals("H_INT_GET_SOURCE_INFO") || e.name().equals("H_INT_ESB"))
                && ((Number) a.get(1)).longValue() >= 0x1200 && ((Number) a.get(1)).longValue() < 0x1300) {
                probe.add(e.name().equals("H_INT_ESB")
                    ? String.format("esb %x %x", ((Number) a.get(1)).longValue(), ((Number) a.get(2)).longValue())
                    : String.format("source-info %x", ((Number) a.get(1)).longValue()));
            }
        }
        assertEquals(List.of("source-info 1200", "esb 1200 d00", "change-msi 0 fn 3 n 0", "change-msi 0 fn 1 n 0",
            "source-info 1201", "esb 1201 d00", "change-msi 800 fn 3 n 0", "change-msi 800 fn 1 n 0",
            "change-msi 0 fn 4 n 4", "esb 1200 c00"), probe);
    }
}
