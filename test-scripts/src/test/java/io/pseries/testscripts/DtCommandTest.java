package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Fdt;
import io.pseries.script.cli.Main;

/** {@code pseries dt}: the tree before and after CAS, as text or blob. */
class DtCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void dualModePrintsTheXicsTreeBeforeCasAndTheXiveTreeAfter() {
        Result pre = cli("dt", "--cpus", "4", "--ic-mode", "dual");
        assertEquals(0, pre.code(), pre.err());
        assertTrue(pre.out().contains("\tinterrupt-controller {\n") && pre.out().contains("ibm,interrupt-server-ranges = <0x00 0x04>;"),
            pre.out());
        assertTrue(pre.out().contains("ibm,arch-vec-5-platform-support = <0x178018c0 0x19001a40>;"), pre.out());
        Result post = cli("dt", "--cpus", "4", "--ic-mode", "dual", "--cas", "xive");
        assertEquals(0, post.code(), post.err());
        assertTrue(post.out().contains("interrupt-controller@60302031b0000 {") && post.out().contains("ibm,plat-res-int-priorities = <0x07 0xf8>;"),
            post.out());
        assertFalse(post.out().contains("ibm,interrupt-server-ranges"), "the XICS node is gone after CAS chose XIVE");
    }

    @Test
    void threadsAndVsmtGiveOneCpuNodePerCoreAndQemusServerCount() {
        Result r = cli("dt", "--cpus", "4", "--threads", "2", "--vsmt", "4", "--ic-mode", "xics");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("PowerPC,POWER9@4 {") && !r.out().contains("PowerPC,POWER9@1 {"), r.out());
        assertTrue(r.out().contains("ibm,ppc-interrupt-server#s = <0x04 0x05>;"), r.out());
        assertTrue(r.out().contains("ibm,interrupt-server-ranges = <0x00 0x08>;"), r.out());
        Result bad = cli("dt", "--cpus", "4", "--threads", "4", "--vsmt", "2");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("Cannot support VSMT mode 2 because it must be >= threads/core (4)"), bad.err());
    }

    @Test
    void aCasQemuRefusesExitsOneWithQemusMessage() {
        Result r = cli("dt", "--ic-mode", "xive", "--cas", "xics");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("CAS refused: Guest requested unavailable interrupt mode (XICS)"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void outputWritesABlobThatReadsBack() throws Exception {
        Path f = dir.resolve("t.dtb");
        Result r = cli("dt", "--cpus", "2", "--ic-mode", "xics", "--device", "spapr-vlan", "--device", "virtio-net-pci,vectors=2",
            "-o", f.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out(), "-o alone prints nothing");
        DtNode t = Fdt.read(Files.readAllBytes(f));
        assertTrue(t.find("vdevice/nvram@71000001") != null, "the machine's own NVRAM");
        assertTrue(t.find("vdevice/l-lan@71000002") != null);
        assertEquals(2, t.find("pci@800000020000000/ethernet@0").cells("ibm,req#msi-x")[0]);
        assertEquals(2, t.find("interrupt-controller").cells("ibm,interrupt-server-ranges")[1]);
    }

    @Test
    void dtcCleanAddsTheAddressCellsQemusTreeLacks() {
        Result clean = cli("dt", "--ic-mode", "xive", "--dtc-clean");
        Result exact = cli("dt", "--ic-mode", "xive");
        String node = "interrupt-controller@60302031b0000 {";
        String cleanNode = clean.out().substring(clean.out().indexOf(node));
        String exactNode = exact.out().substring(exact.out().indexOf(node));
        assertTrue(cleanNode.contains("#address-cells = <0x00>;"), cleanNode);
        assertFalse(exactNode.contains("#address-cells"), exactNode);
    }

    @Test
    void xVofAddsTheVofChosenProperties() {
        Result r = cli("dt", "--x-vof");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("stdout = <0x01>;") && r.out().contains("bootargs = [00];"), r.out());
    }

    @Test
    void badDevicesAndModesAreUsageErrorsNamingTheProblem() {
        Result r = cli("dt", "--device", "spapr-vln");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'spapr-vln' (did you mean 'spapr-vlan'?)"), r.err());
        Result m = cli("dt", "--ic-mode", "xvie");
        assertEquals(2, m.code());
        assertTrue(m.err().contains("icMode: 'xvie' (did you mean 'xive'?)"), m.err());
        Result c = cli("dt", "--cas", "both");
        assertEquals(2, c.code());
        assertTrue(c.err().contains("--cas must be xive or xics"), c.err());
    }
}
