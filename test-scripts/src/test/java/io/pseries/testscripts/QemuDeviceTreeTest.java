package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pseries.core.Machine;
import io.pseries.core.reference.QemuDts;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;

/**
 * Our device tree, as dtc decompiles it, against the trees QEMU 7.2 built for the same
 * configuration (reference/qemu-dt, a copy of ../shared/reference/qemu-dt: 4 vCPUs, spapr-vty, spapr-nvram, spapr-vlan,
 * virtio-net-pci, a pci-bridge and a virtio-blk-pci behind it), property by property, for every
 * interrupt-related node. dtc must report no warning on our blobs.
 *
 * <p>The after-CAS references are the trees SLOF handed Linux: SLOF rewrote phandles and added
 * its own properties and nodes, so phandle cells are compared by role, and SLOF's additions
 * (slof,*, the bridge's interrupt-map) are not QEMU's.
 */
class QemuDeviceTreeTest {

    static Stream<Arguments> trees() {
        return Stream.of(
            Arguments.of("xics_smp4.dts", "xics", null),
            Arguments.of("xive_smp4.dts", "xive", null),
            Arguments.of("dual_smp4.dts", "dual", null),
            Arguments.of("dual_smp4_after_cas_xive.dts", "dual", 0x40),
            Arguments.of("dual_smp4_after_cas_xics.dts", "dual", 0x00));
    }

    static Machine qemuConfiguration(String icMode) {
        return Machine.create(MachineConfig.builder().cpus(4).icMode(icMode)
            .devices(List.of(MachineConfig.DeviceConfig.of("spapr-vty"), MachineConfig.DeviceConfig.of("spapr-nvram"),
                MachineConfig.DeviceConfig.of("spapr-vlan"), MachineConfig.DeviceConfig.of("virtio-net-pci"),
                new MachineConfig.DeviceConfig("pci-bridge", Map.of("id", "br0")),
                new MachineConfig.DeviceConfig("virtio-blk-pci", Map.of("bus", "br0", "addr", 3L, "vectors", 0L))))
            .build());
    }

    /** dtc's decompilation of our blob; asserts dtc is clean. */
    static String dtc(byte[] blob) throws IOException, InterruptedException {
        boolean have = new ProcessBuilder("sh", "-c", "command -v dtc").start().waitFor() == 0;
        if (!have && System.getenv("PSERIES_REQUIRE_DTC") == null) {
            Assumptions.abort("dtc is not installed (apt-get install device-tree-compiler)");
        }
        Path f = Files.createTempFile("pseries", ".dtb");
        try {
            Files.write(f, blob);
            Process p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", f.toString()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), err);
            assertEquals("", err, "dtc warnings on our blob");
            return out;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** Interrupt-related properties of a node path (null: the node is not compared). */
    static List<String> interruptProperties(String path) {
        if (path.equals("/")) {
            return List.of("ibm,plat-res-int-priorities");
        }
        if (path.equals("/chosen")) {
            return List.of("ibm,arch-vec-5-platform-support", "ibm,architecture-vec-5");
        }
        if (path.equals("/rtas")) {
            return List.of("ibm,set-xive", "ibm,get-xive", "ibm,int-on", "ibm,int-off", "ibm,change-msi",
                "ibm,query-interrupt-source-number");
        }
        if (path.startsWith("/interrupt-controller")) {
            return List.of("device_type", "compatible", "reg", "ibm,xive-eq-sizes", "ibm,xive-lisn-ranges",
                "ibm,interrupt-server-ranges", "interrupt-controller", "#interrupt-cells", "phandle", "linux,phandle");
        }
        if (path.equals("/event-sources") || path.equals("/vdevice")) {
            return List.of("interrupt-ranges", "#interrupt-cells", "interrupt-controller");
        }
        if (path.startsWith("/event-sources/") || path.startsWith("/vdevice/")) {
            return List.of("interrupts");
        }
        if (path.startsWith("/cpus/")) {
            return List.of("ibm,ppc-interrupt-server#s", "ibm,ppc-interrupt-gserver#s", "reg");
        }
        if (path.equals("/pci@800000020000000")) {
            return List.of("interrupt-map", "interrupt-map-mask", "#interrupt-cells", "ibm,pe-total-#msi");
        }
        if (path.startsWith("/pci@800000020000000/")) {
            return List.of("interrupts", "ibm,req#msi-x", "ibm,req#msi");
        }
        return null;
    }

    /** The phandle the tree gives the interrupt controller (QEMU 0x1111, SLOF its own). */
    static String intcPhandle(Map<String, Map<String, String>> t) {
        for (Map.Entry<String, Map<String, String>> e : t.entrySet()) {
            if (e.getKey().startsWith("/interrupt-controller") && e.getValue().containsKey("phandle")) {
                return e.getValue().get("phandle").replaceAll("[<>]", "");
            }
        }
        return "0x1111";
    }

    @Test
    void theRepositorysCopiesAreTheSharedReferenceTrees() throws Exception {
        Path shared = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && shared == null; p = p.getParent()) {
            Path s = p.resolveSibling("shared/reference/qemu-dt");
            if (Files.isDirectory(s)) {
                shared = s;
            }
        }
        Assumptions.assumeTrue(shared != null,
            "no ../shared/reference/qemu-dt next to this clone: nothing to compare the copies with");
        try (var files = Files.list(shared)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".dts")).sorted().toList()) {
                assertEquals(Files.readString(f), Files.readString(QemuDts.file(f.getFileName().toString())),
                    "reference/qemu-dt/" + f.getFileName() + " differs from " + f);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void interruptNodesMatchQemusPropertyByProperty(String file, String icMode, Integer cas) throws Exception {
        Machine m = qemuConfiguration(icMode);
        if (cas != null) {
            m.cas(GuestOv5.linuxVector(cas));
        }
        Map<String, Map<String, String>> ours = QemuDts.parse(dtc(m.fdt()));
        Map<String, Map<String, String>> qemu = QemuDts.parse(Files.readString(QemuDts.file(file)));
        boolean slof = file.contains("after_cas");
        String qemuPhandle = intcPhandle(qemu);

        List<String> diffs = new ArrayList<>();
        Map<String, Map<String, String>> compared = new TreeMap<>();
        for (Map.Entry<String, Map<String, String>> e : qemu.entrySet()) {
            List<String> props = interruptProperties(e.getKey());
            if (props != null) {
                compared.put(e.getKey(), e.getValue());
            }
        }
        for (String path : ours.keySet()) {
            if (interruptProperties(path) != null && !qemu.containsKey(path)) {
                diffs.add(path + ": node only in ours");
            }
        }
        for (Map.Entry<String, Map<String, String>> e : compared.entrySet()) {
            String path = e.getKey();
            Map<String, String> o = ours.get(path);
            if (o == null) {
                diffs.add(path + ": node missing in ours");
                continue;
            }
            for (String p : interruptProperties(path)) {
                if (slof && (p.equals("phandle") || p.equals("linux,phandle"))) {
                    continue;
                }
                if (slof && p.equals("ibm,req#msi") && path.endsWith("/pci@1")) {
                    // SLOF keeps QEMU's value; compared like the others
                }
                String q = e.getValue().get(p);
                String w = o.get(p);
                if (q != null && slof && p.equals("interrupt-map")) {
                    q = q.replace(" " + qemuPhandle + " ", " 0x1111 ");
                }
                if (q != null && slof && path.endsWith("/pci@1") && p.startsWith("interrupt-map")) {
                    continue;
                }
                if (q == null && w == null) {
                    continue;
                }
                if (q == null) {
                    diffs.add(path + " " + p + ": only in ours (" + w + ")");
                } else if (w == null) {
                    diffs.add(path + " " + p + ": missing in ours (QEMU " + q + ")");
                } else if (!q.equals(w)) {
                    diffs.add(path + " " + p + ": QEMU " + q + ", ours " + w);
                }
            }
            // the only addition we make to an interrupt provider: #address-cells = <0>, for dtc
            if (o.containsKey("interrupt-controller") && !e.getValue().containsKey("#address-cells")
                && o.containsKey("#address-cells") && !"<0x00>".equals(o.get("#address-cells"))) {
                diffs.add(path + " #address-cells: ours " + o.get("#address-cells"));
            }
        }
        assertTrue(diffs.isEmpty(), file + " differs from QEMU:\n  " + String.join("\n  ", diffs));
        assertTrue(compared.size() >= 15, "compared " + compared.size() + " nodes: " + compared.keySet());
    }
}
