package io.pseries.core.drc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dt.DtNode;
import io.pseries.core.reference.QemuDts;

/**
 * The DR connectors and the four ibm,drc-* properties, against QEMU 7.2's tree: the same
 * connectors, names, types and power domains, in the same (hash-table) order.
 */
class DrcTableTest {

    static Machine qemuConfiguration() {
        return FakeIntc.machine(MachineConfig.builder().cpus(4).icMode("xive")
            .device("spapr-vlan", Map.of()).device("virtio-net-pci", Map.of())
            .device("pci-bridge", Map.of("id", "br0"))
            .device("virtio-blk-pci", Map.of("bus", "br0", "addr", 3L, "vectors", 0L)).build());
    }

    @Test
    void glibHashOrderReproducesQemusDrcIndexOrderOnEveryNode() {
        QemuDts q = QemuDts.load("xive_smp4.dts");
        DtNode t = qemuConfiguration().deviceTree();
        for (String path : List.of("/", "/cpus", "/pci@800000020000000", "/pci@800000020000000/pci@1")) {
            DtNode n = path.equals("/") ? t : t.find(path.substring(1));
            assertEquals(toList(q.cells(path, "ibm,drc-indexes")), toList(n.cells("ibm,drc-indexes")), path);
            assertEquals(toList(q.cells(path, "ibm,drc-power-domains")), toList(n.cells("ibm,drc-power-domains")), path);
        }
    }

    @Test
    void namesAndTypesAreTheKindsStringsInTheSameOrder() {
        DtNode t = qemuConfiguration().deviceTree();
        byte[] names = t.prop("ibm,drc-names");
        assertEquals(31, ((names[0] & 0xff) << 24) | ((names[1] & 0xff) << 16) | ((names[2] & 0xff) << 8) | (names[3] & 0xff));
        assertEquals("PHB 11", new String(names, 4, 6, StandardCharsets.US_ASCII), "QEMU's first entry");
        byte[] pci = t.find("pci@800000020000000").prop("ibm,drc-types");
        assertEquals("28", new String(pci, 4, 2, StandardCharsets.US_ASCII));
        assertEquals(4 + 256 * 3, pci.length);
        byte[] cpuNames = t.child("cpus").prop("ibm,drc-names");
        assertEquals("CPU 0\0CPU 1\0CPU 2\0CPU 3\0", new String(cpuNames, 4, cpuNames.length - 4, StandardCharsets.US_ASCII));
    }

    @Test
    void theMachineHasAConnectorPerVcpuPerPhbSlotAndPerDevfnOfEachBus() {
        Machine m = qemuConfiguration();
        assertEquals(Map.of(DrcKind.CPU, 4, DrcKind.PHB, 31, DrcKind.PCI, 512), m.drcs().counts());
        assertEquals("C280", m.drcs().byIndex(0x40000118L).name());
        assertEquals(true, m.drcs().byIndex(0x40000118L).attached(), "virtio-blk at 01:03.0");
        assertEquals(false, m.drcs().byIndex(0x40000110L).attached());
    }

    @Test
    void glibOrderOfAFewKeysIsTheirSlotOrder() {
        GlibHashOrder<String> g = new GlibHashOrder<>();
        List.of("a", "b", "c").forEach(k -> g.insert(k, k));
        g.insert("b", "b");
        // djb2: a=177670, b=177671, c=177672; slots (h*11) mod 7 = 5, 2, 6
        assertEquals(List.of("b", "a", "c"), g.order());
    }

    private static List<Long> toList(long[] v) {
        List<Long> l = new ArrayList<>();
        for (long x : v) {
            l.add(x);
        }
        return l;
    }
}
