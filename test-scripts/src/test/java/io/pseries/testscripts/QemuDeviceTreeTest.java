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
            .devices(List.of(MachineConfig.DeviceConfig.of("spapr-vty"),
                MachineConfig.DeviceConfig.of("spapr-vlan"), MachineConfig.DeviceConfig.of("virtio-net-pci"),
                new MachineConfig.DeviceConfig("pci-bridge", Map.of("id", "br0")),
                new MachineConfig.DeviceConfig("virtio-blk-pci", Map.of("bus", "br0", "addr", 3L, "vectors", 0L))))
            .build());
    }

    /**
     * dtc's decompilation of our blob; with {@code quiet}, asserts dtc reports nothing, else that
     * it reports only QEMU's own "Missing #address-cells in interrupt provider" warnings.
     */
    static String dtc(byte[] blob, boolean quiet) throws IOException, InterruptedException {
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
            String other = err.lines().filter(l -> !l.contains("Missing #address-cells in interrupt provider"))
                .reduce("", (a, b) -> a + b + "\n");
            assertEquals("", quiet ? err : other, "dtc warnings on our blob");
            return out;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /**
     * Whether a property of an after-CAS reference tree was written by SLOF or Linux rather than
     * by QEMU (those trees are Linux's view, after SLOF and prom_init ran), with the reason.
     * QEMU's own properties are all compared.
     */
    static String notQemus(String path, String prop) {
        if (path.startsWith("/openprom") || path.startsWith("/options") || path.startsWith("/packages")
            || path.startsWith("/aliases") || path.startsWith("/mmu")) {
            return "a SLOF node";
        }
        if (prop.equals("phandle") || prop.startsWith("slof,")) {
            return "SLOF renumbers phandles and marks its nodes";
        }
        if (prop.startsWith("linux,")) {
            return "written by Linux's prom_init or SLOF (rtas base, kernel end, DDW window info)";
        }
        if (path.equals("/chosen") && List.of("stdin", "stdout", "mmu", "cpu", "memory").contains(prop)) {
            return "SLOF's open instances";
        }
        if (path.equals("/chosen") && List.of("bootargs", "qemu,boot-kernel", "qemu,boot-kernel-le").contains(prop)) {
            return "that boot loaded a kernel (-kernel, -append); the model boots no image";
        }
        if (path.equals("/memory@0") && prop.equals("available")) {
            return "firmware claims";
        }
        if (path.startsWith("/pci@800000020000000/") && List.of("assigned-addresses", "device_type", "local-mac-address")
            .contains(prop)) {
            return "SLOF assigns BARs and its drivers add these";
        }
        if (path.equals("/pci@800000020000000/pci@1") && List.of("interrupt-map", "interrupt-map-mask", "#interrupt-cells",
            "secondary-bus", "primary-bus", "subordinate-bus", "bus-range", "ranges", "device_type", "slot-names",
            "udf-supported", "subsystem-vendor-id").contains(prop)) {
            return "SLOF's bridge set-up";
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
    void everyQemuPropertyMatchesAndNothingIsAdded(String file, String icMode, Integer cas) throws Exception {
        Machine m = qemuConfiguration(icMode);
        if (cas != null) {
            m.cas(GuestOv5.linuxVector(cas));
        }
        Map<String, Map<String, String>> ours = QemuDts.parse(dtc(m.fdt(), false));
        Map<String, Map<String, String>> qemu = QemuDts.parse(Files.readString(QemuDts.file(file)));
        boolean after = file.contains("after_cas");
        String qemuPhandle = intcPhandle(qemu);
        List<String> diffs = new ArrayList<>();
        int compared = 0;
        for (Map.Entry<String, Map<String, String>> e : qemu.entrySet()) {
            String path = e.getKey();
            for (Map.Entry<String, String> p : e.getValue().entrySet()) {
                if (after && notQemus(path, p.getKey()) != null) {
                    continue;
                }
                compared++;
                String q = p.getValue();
                String w = ours.getOrDefault(path, Map.of()).get(p.getKey());
                if (p.getKey().equals("rng-seed") && w != null) {
                    continue;    // host randomness in QEMU, seeded in the model (docs/differences.md)
                }
                if (after && p.getKey().equals("interrupt-map")) {
                    q = q.replace(" " + qemuPhandle + " ", " 0x1111 ");
                }
                if (!q.equals(w)) {
                    diffs.add(path + " " + p.getKey() + ": QEMU " + abbrev(q) + ", ours " + (w == null ? "missing" : abbrev(w)));
                }
            }
        }
        for (Map.Entry<String, Map<String, String>> e : ours.entrySet()) {
            for (String p : e.getValue().keySet()) {
                boolean linuxDropped = after && (p.equals("rng-seed") || p.equals("linux,phandle"));
                if (!qemu.getOrDefault(e.getKey(), Map.of()).containsKey(p) && !linuxDropped) {
                    diffs.add(e.getKey() + " " + p + ": only in ours");
                }
            }
        }
        assertTrue(diffs.isEmpty(), file + " differs from QEMU:\n  " + String.join("\n  ", diffs));
        assertTrue(compared >= 300, "compared only " + compared + " properties");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trees")
    void withDtcCleanDtcIsQuietAndOnlyAddressCellsAreAdded(String file, String icMode, Integer cas) throws Exception {
        Machine m = qemuConfiguration(icMode);
        m.setDtcClean(true);
        if (cas != null) {
            m.cas(GuestOv5.linuxVector(cas));
        }
        Map<String, Map<String, String>> clean = QemuDts.parse(dtc(m.fdt(), true));
        m.setDtcClean(false);
        Map<String, Map<String, String>> plain = QemuDts.parse(dtc(m.fdt(), false));
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : clean.entrySet()) {
            Map<String, String> rest = new LinkedHashMap<>(e.getValue());
            if (!plain.get(e.getKey()).containsKey("#address-cells") && rest.containsKey("#address-cells")) {
                assertEquals("<0x00>", rest.remove("#address-cells"), e.getKey());
                assertTrue(rest.containsKey("interrupt-controller"), e.getKey() + " is an interrupt provider");
                added.add(e.getKey());
            }
            assertEquals(plain.get(e.getKey()), rest, e.getKey());
        }
        assertTrue(added.contains("/event-sources") && added.size() == 2, added.toString());
    }

    private static String abbrev(String v) {
        return v.length() > 90 ? v.substring(0, 90) + "..." : v;
    }
}
