package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.LSI;
import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.ipi;
import static io.pseries.xics.XicsTestSupport.machine;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.setXive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Dts;
import io.pseries.core.reference.QemuDts;
import io.pseries.core.util.Json;

/** The {@code /interrupt-controller} node (facts §10.2) and the state dumps. */
class XicsDeviceTreeAndPicTest {

    /** QEMU 7.2's node from reference/qemu-dt/xics_smp4.dts (also compared with the file). */
    static final String QEMU_NODE = """
        \tinterrupt-controller {
        \t\tphandle = <0x1111>;
        \t\tlinux,phandle = <0x1111>;
        \t\t#interrupt-cells = <0x02>;
        \t\tibm,interrupt-server-ranges = <0x00 0x04>;
        \t\tinterrupt-controller;
        \t\tcompatible = "IBM,ppc-xicp";
        \t\tdevice_type = "PowerPC-External-Interrupt-Presentation";
        \t};
        """;

    static String nodeBlock(String dts) {
        int start = dts.indexOf("\tinterrupt-controller {\n");
        int end = dts.indexOf("\t};\n", start);
        return start < 0 ? null : dts.substring(start, end + 4);
    }

    @Test
    void node_isQemus_propertyForProperty_inQemusOrder() {
        Machine m = machine(4);
        m.setDtcClean(false);
        assertEquals(QEMU_NODE, nodeBlock(Dts.render(m.deviceTree())));
    }

    @Test
    void node_equalsTheOneInTheReferenceTree() throws Exception {
        assertEquals(nodeBlock(Files.readString(QemuDts.file("xics_smp4.dts"))), QEMU_NODE);
    }

    @Test
    void node_serverRangesFollowTheCpuCount_andNoRootPropertyIsAdded() {
        Machine m = machine(7);
        DtNode root = m.deviceTree();
        DtNode n = root.child("interrupt-controller");
        assertArrayEquals(new long[] {0, 7}, n.cells("ibm,interrupt-server-ranges"));
        assertNull(root.prop("ibm,plat-res-int-priorities"));
        assertEquals(List.of("IBM,ppc-xicp"), n.strings("compatible"));
        assertFalse(n.has("reg"), "the PAPR ICP is hcall-only");
    }

    @Test
    void machine_xicsMode_advertisesLegacyOnly_andIsTheActiveController() {
        Machine m = machine(2);
        assertEquals("xics", m.icMode());
        assertEquals(0x00, m.platformInterruptModes());
        assertEquals(1, m.controllers().size());
        assertEquals(0x00, m.ov5().getByte(23), "no XIVE backend: the machine cannot negotiate exploitation");
    }

    @Test
    void machine_dualMode_hasBothControllers_xicsActiveAtReset() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("dual").build());
        assertEquals(List.of("xics", "xive"), m.controllers().stream().map(c -> c.name()).toList());
        assertEquals("xics", m.icMode());
        assertEquals(0x80, m.platformInterruptModes());
        assertEquals(QEMU_NODE.replace("0x04", "0x02"), nodeBlock(Dts.render(withoutCleanup(m))));
    }

    private static DtNode withoutCleanup(Machine m) {
        m.setDtcClean(false);
        return m.deviceTree();
    }

    @Test
    void pic_listsEveryIcp_andClaimedSourcesOnly_asTheJsonAScriptIsHanded() {
        Machine m = opened(2);
        m.claimIrq(LSI, true, "test");
        setXive(m, VTY, 1, 5);
        setXive(m, 0x1fff, 1, 5);
        m.irq(LSI).raise();
        ipi(m, 0, 1, 4);
        Map<String, Object> pic = m.pic();
        assertEquals("xics", pic.get("mode"));
        assertEquals(List.of(
            Map.of("server", 0, "xirr", 0xFF00_0000L, "cppr", 0xFF, "mfrr", 0xFF, "pending", 0xFF),
            Map.of("server", 1, "xirr", 0xFF00_0002L, "cppr", 0xFF, "mfrr", 4, "pending", 4)), pic.get("icps"));
        assertEquals(List.of(
            source(0x1000, 0, 0xFF, 0xFF, true, false, false),
            source(0x1001, 0, 0xFF, 0xFF, true, false, false),
            source(0x1100, 1, 5, 5, false, false, false),
            source(0x1101, 0, 0xFF, 0xFF, true, false, false),
            source(0x1200, 0, 0xFF, 0xFF, true, true, false),
            source(0x1201, 0, 0xFF, 0xFF, true, true, false),
            source(0x1202, 0, 0xFF, 0xFF, true, true, false),
            source(0x1203, 0, 0xFF, 0xFF, true, true, false),
            source(LSI, 0, 0xFF, 0xFF, true, true, true)), pic.get("sources"));
        // what m.pic() hands a script: the XicsPic shape of pseries.d.ts, keys in its order,
        // XIRR as an unsigned 32-bit number (CPPR 0xFF in the top byte, XISR 2 = the IPI pending
        // on server 1: 0xFF000002 = 4278190082), the unrouted MSIs/LSIs at priority 0xFF = masked
        String icp0 = "{\"server\":0,\"xirr\":4278190080,\"cppr\":255,\"mfrr\":255,\"pending\":255}";
        String icp1 = "{\"server\":1,\"xirr\":4278190082,\"cppr\":255,\"mfrr\":4,\"pending\":4}";
        assertEquals("{\"mode\":\"xics\",\"icps\":[" + icp0 + "," + icp1 + "],\"sources\":["
            + String.join(",",
                sourceJson(4096, 0, 255, 255, true, false, false),
                sourceJson(4097, 0, 255, 255, true, false, false),
                sourceJson(4352, 1, 5, 5, false, false, false),
                sourceJson(4353, 0, 255, 255, true, false, false),
                sourceJson(4608, 0, 255, 255, true, true, false),
                sourceJson(4609, 0, 255, 255, true, true, false),
                sourceJson(4610, 0, 255, 255, true, true, false),
                sourceJson(4611, 0, 255, 255, true, true, false),
                sourceJson(4624, 0, 255, 255, true, true, true))
            + "]}", Json.write(pic));
    }

    /** One ICS source as JSON, written out by hand (not through Json) in XicsPic's key order. */
    private static String sourceJson(int irq, int server, int prio, int saved, boolean masked, boolean lsi, boolean asserted) {
        return "{\"irq\":" + irq + ",\"server\":" + server + ",\"priority\":" + prio + ",\"savedPriority\":" + saved
            + ",\"masked\":" + masked + ",\"lsi\":" + lsi + ",\"asserted\":" + asserted + "}";
    }

    private static Map<String, Object> source(int irq, long server, int prio, int saved, boolean masked, boolean lsi, boolean asserted) {
        return Map.of("irq", irq, "server", server, "priority", prio, "savedPriority", saved, "masked", masked,
            "lsi", lsi, "asserted", asserted);
    }

    @Test
    void picText_isQemusInfoPicLayout() {
        Machine m = opened(2);
        m.claimIrq(LSI, true, "test");
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        m.irq(LSI).raise();
        String nl = "\n";
        assertEquals(String.join(nl,
            "CPU 0 XIRR=ff001100 ((nil)) PP=05 MFRR=ff",
            "CPU 1 XIRR=ff000000 ((nil)) PP=ff MFRR=ff",
            "ICS 1000..1fff (nil)",
            "  1000 MSI ff 00",
            "  1001 MSI ff 00",
            "  1100 MSI 05 00",
            "  1101 MSI ff 00",
            "  1200 LSI ff 00",
            "  1201 LSI ff 00",
            "  1202 LSI ff 00",
            "  1203 LSI ff 00",
            "  1210 LSI ff 01",
            "irqchip: emulated") + nl, m.activeController().picText());
    }
}
