package io.pseries.core.dt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;

/**
 * The device tree checked against the real device-tree compiler: the blob {@link Fdt#write}
 * produces must decompile without a warning, {@link Dts#render} must print exactly what
 * {@code dtc -I dtb -O dts} (1.6) prints, and blobs dtc writes must read back.
 * Without {@code dtc} each test that needs it fails under CI ({@code PSERIES_REQUIRE_DTC=1}) and is
 * reported as skipped, with the reason, otherwise ({@link DtcTool#need}).
 */
class DtcCompatTest {

    private static final String INTERRUPT_PROVIDER_WARNING = "Missing #address-cells in interrupt provider";

    @TempDir
    Path tmp;

    /** dtc's answer on {@code input}; a test without dtc fails in CI and is skipped with the reason elsewhere. */
    private DtcTool.Result dtc(byte[] input, String... args) throws IOException, InterruptedException {
        return DtcTool.run(tmp, input, args);
    }

    private DtcTool.Result decompile(DtNode tree) throws IOException, InterruptedException {
        return dtc(Fdt.write(tree, 0), "-I", "dtb", "-O", "dts");
    }

    /** A machine with the opt-in dtcClean: true (QEMU's own tree is the default). */
    private static Machine machine(String icMode) {
        return FakeIntc.machine(MachineConfig.builder().cpus(4).icMode(icMode).dtcClean(true)
            .device("spapr-vlan", Map.of()).build());
    }

    private void assertCleanAndRenderedLikeDtc(DtNode tree) throws Exception {
        DtcTool.Result r = decompile(tree);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("", r.stderr(), "dtc warned");
        assertEquals(r.stdout(), Dts.render(tree));
    }

    /** The set of "node: message" warnings in dtc's stderr. */
    private static TreeSet<String> warnings(String stderr) {
        TreeSet<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("Warning \\((\\w+)\\): (\\S+): (.*)").matcher(stderr);
        while (m.find()) {
            out.add(m.group(2) + ": " + m.group(3));
        }
        return out;
    }

    // ------------------------------------------------------------------ the machine's tree

    @Test
    void dualModeTreeBeforeCasIsWarningFreeAndRendersLikeDtc() throws Exception {
        assertCleanAndRenderedLikeDtc(machine("dual").deviceTree());
    }

    @Test
    void dualModeTreeAfterCasPickedXiveIsWarningFreeAndRendersLikeDtc() throws Exception {
        Machine m = machine("dual");
        m.cas(GuestOv5.linuxVector(0x40));
        DtNode tree = m.deviceTree();
        assertTrue(tree.child("interrupt-controller@60302031b0000") != null);
        assertCleanAndRenderedLikeDtc(tree);
    }

    @Test
    void xiveOnlyTreeIsWarningFreeAndRendersLikeDtc() throws Exception {
        assertCleanAndRenderedLikeDtc(machine("xive").deviceTree());
    }

    @Test
    void xicsOnlyTreeIsWarningFreeAndRendersLikeDtc() throws Exception {
        assertCleanAndRenderedLikeDtc(machine("xics").deviceTree());
    }

    @Test
    void fdtBlobOfTheMachineMatchesItsTree() throws Exception {
        Machine m = machine("dual");
        DtcTool.Result r = dtc(m.fdt(), "-I", "dtb", "-O", "dts");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(Dts.render(m.deviceTree()), r.stdout());
    }

    @Test
    void withoutDtcCleanTheTreeWarnsLikeQemusMissingAddressCellsInInterruptProviders() throws Exception {
        Machine m = machine("xive");
        m.setDtcClean(false);
        DtNode tree = m.deviceTree();
        assertTrue(!tree.child("event-sources").has("#address-cells"));
        DtcTool.Result r = decompile(tree);
        assertEquals(0, r.exit(), "warnings only");
        assertEquals(new TreeSet<>(List.of(
            "/event-sources: " + INTERRUPT_PROVIDER_WARNING,
            "/interrupt-controller@60302031b0000: " + INTERRUPT_PROVIDER_WARNING)), warnings(r.stderr()), r.stderr());
        assertEquals(r.stdout(), Dts.render(tree), "the rendering does not depend on the warnings");
    }

    @Test
    void withoutDtcCleanTheXicsTreeWarnsForItsNodeToo() throws Exception {
        Machine m = machine("xics");
        m.setDtcClean(false);
        assertEquals(new TreeSet<>(List.of(
            "/event-sources: " + INTERRUPT_PROVIDER_WARNING,
            "/interrupt-controller: " + INTERRUPT_PROVIDER_WARNING)), warnings(decompile(m.deviceTree()).stderr()));
    }

    @Test
    void dtcCleanAddsAddressCellsZeroOnlyWhereItWasMissing() {
        Machine m = machine("xive");
        DtNode tree = m.deviceTree();
        assertEquals(0, tree.child("event-sources").cells("#address-cells")[0]);
        assertEquals(0, tree.child("interrupt-controller@60302031b0000").cells("#address-cells")[0]);
        assertEquals(1, tree.child("vdevice").cells("#address-cells")[0], "vdevice keeps its own value");
        assertTrue(m.dtcClean());
        m.setDtcClean(false);
        assertTrue(!m.deviceTree().child("interrupt-controller@60302031b0000").has("#address-cells"));
    }

    @Test
    void qemusTreeIsTheDefaultAndDtcCleanIsOptIn() {
        Machine plain = FakeIntc.machine(MachineConfig.builder().cpus(2).icMode("xive").build());
        assertTrue(!plain.dtcClean());
        assertTrue(!plain.deviceTree().child("event-sources").has("#address-cells"));
        Machine clean = FakeIntc.machine(MachineConfig.fromMap(Map.of("cpus", 2L, "icMode", "xive", "dtcClean", true)));
        assertEquals(0, clean.deviceTree().child("event-sources").cells("#address-cells")[0]);
    }

    @Test
    void qemusOwnTreeGivesTheSameWarnings() throws Exception {
        // the repository's copy of QEMU's trees (reference/qemu-dt): always there, so this never skips
        Path ref = Path.of("..", "reference", "qemu-dt");
        assertTrue(Files.isRegularFile(ref.resolve("xive_smp4.dts")), "reference/qemu-dt/xive_smp4.dts is missing");
        for (String[] c : new String[][] {{"xive_smp4.dts", "/interrupt-controller@60302031b0000"},
            {"xics_smp4.dts", "/interrupt-controller"}}) {
            String dts = Files.readString(ref.resolve(c[0])).replace("<(random, elided)>", "<0x00>");
            DtcTool.Result blob = dtc(dts.getBytes(StandardCharsets.UTF_8), "-q", "-I", "dts", "-O", "dtb", "-o",
                tmp.resolve(c[0] + ".dtb").toString());
            assertEquals(0, blob.exit(), blob.stderr());
            DtcTool.Result r = dtc(Files.readAllBytes(tmp.resolve(c[0] + ".dtb")), "-I", "dtb", "-O", "dts");
            assertEquals(new TreeSet<>(List.of("/event-sources: " + INTERRUPT_PROVIDER_WARNING,
                c[1] + ": " + INTERRUPT_PROVIDER_WARNING)), warnings(r.stderr()), c[0]);
        }
    }

    // ------------------------------------------------------------------ the renderer on its own

    @Test
    void valueGuessesMatchDtcOnTrickyValues() throws Exception {
        DtNode root = new DtNode("");
        root.setString("plain", "hvterm1");
        root.setString("list", "hcall-pft", "hcall-term", "");
        root.setString("escapes", "a\"b\\c\td\ne\rf\u0007g\bh\u000bi\u000cj");
        root.set("nul-first", new byte[] {0, 'a', 'b', 0});
        root.set("mostly-nul", new byte[] {0, 0, 'a', 0});
        root.set("one-nul", new byte[] {0});
        root.set("no-terminator", new byte[] {'a', 'b', 'c', 'd'});
        root.set("odd-bytes", new byte[] {1, 2, 3});
        root.set("high-bit", new byte[] {(byte) 0xe9, 't', 'e', 0});
        root.set("vec5", new byte[] {0, 0});
        root.setCells("cells", 0, 1, 0xffffffffL, 0x12345678);
        root.setU64s("u64", 0x6030203180000L);
        root.setEmpty("empty");
        root.addChild("child@1").setCells("reg", 1);
        DtcTool.Result r = decompile(root);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(r.stdout(), Dts.render(root));
    }

    @Test
    void valueGuessesMatchDtcOnRandomValues() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20240607);
        byte[] alphabet = {0, 0, 0, 'a', 'Z', '"', '\\', '\'', ' ', 7, 8, 9, 10, 11, 12, 13, 0x1b, 0x7f, (byte) 0x80, (byte) 0xff};
        DtNode root = new DtNode("");
        for (int i = 0; i < 2000; i++) {
            byte[] v = new byte[1 + rnd.nextInt(12)];
            for (int j = 0; j < v.length; j++) {
                v[j] = rnd.nextInt(4) == 0 ? (byte) rnd.nextInt(256) : alphabet[rnd.nextInt(alphabet.length)];
            }
            if (rnd.nextBoolean()) {
                v[v.length - 1] = 0;
            }
            root.set("p" + i, v);
        }
        DtcTool.Result r = decompile(root);
        assertEquals(0, r.exit(), r.stderr());
        String[] ours = Dts.render(root).split("\n");
        String[] theirs = r.stdout().split("\n");
        assertEquals(theirs.length, ours.length);
        for (int i = 0; i < ours.length; i++) {
            assertEquals(theirs[i], ours[i], "line " + (i + 1));
        }
    }

    // ------------------------------------------------------------------ reading dtc's blobs

    @Test
    void blobsWrittenByDtcReadBack() throws Exception {
        Machine m = machine("dual");
        m.cas(GuestOv5.linuxVector(0x00));
        DtNode tree = m.deviceTree();
        Path out = tmp.resolve("dtc.dtb");
        DtcTool.Result r = dtc(Dts.render(tree).getBytes(StandardCharsets.UTF_8), "-I", "dts", "-O", "dtb", "-o", out.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("", r.stderr());
        FdtTest.assertSameTree(tree, Fdt.read(Files.readAllBytes(out)), "/");
    }

    @Test
    void blobsWithReservationsAndPaddingFromDtcReadBack() throws Exception {
        String dts = "/dts-v1/;\n/memreserve/ 0x1000 0x2000;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <0>;\n\tmodel = \"x\";\n\tn@1 {\n\t\treg = <0x01>;\n\t};\n};\n";
        Path out = tmp.resolve("pad.dtb");
        DtcTool.Result r = dtc(dts.getBytes(StandardCharsets.UTF_8), "-I", "dts", "-O", "dtb", "-p", "1024", "-o", out.toString());
        assertEquals(0, r.exit(), r.stderr());
        DtNode back = Fdt.read(Files.readAllBytes(out));
        assertEquals(List.of("x"), back.strings("model"));
        assertEquals(1, back.child("n@1").cells("reg")[0]);
    }
}
