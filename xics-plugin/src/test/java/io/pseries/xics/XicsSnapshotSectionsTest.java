package io.pseries.xics;

import static io.pseries.xics.XicsTestSupport.VTY;
import static io.pseries.xics.XicsTestSupport.cppr;
import static io.pseries.xics.XicsTestSupport.eoi;
import static io.pseries.xics.XicsTestSupport.ics;
import static io.pseries.xics.XicsTestSupport.ipi;
import static io.pseries.xics.XicsTestSupport.opened;
import static io.pseries.xics.XicsTestSupport.setXive;
import static io.pseries.xics.XicsTestSupport.xirr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pseries.core.Machine;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.util.Json;

/**
 * The emulated XICS's snapshot sections (QEMU's vmstate of the ICS and each ICP): what a
 * restore re-derives (the ICS's resend candidates from the restored status, the ICP's
 * ownership of a presented ICS source, a resend when XICS is active) and which streams it
 * refuses, the machine left as it was.
 */
class XicsSnapshotSectionsTest {

    /** VTY (0x1100) routed to server 0 at priority 5 while CPU 0's CPPR is 3: the MSI is rejected. */
    private static Machine rejectedVty() {
        Machine m = opened(2);
        cppr(m, 0, 3);
        setXive(m, VTY, 0, 5);
        m.irq(VTY).pulse();
        assertEquals(Ics.STATUS_REJECTED, ics(m).status(VTY - Ics.OFFSET) & Ics.STATUS_REJECTED, "rejected at CPPR 3");
        return m;
    }

    @Test
    void restore_aRejectedMsi_isResentWhenTheCpprOpens() {
        Machine src = rejectedVty();
        Machine dst = opened(2);
        dst.restore(src.snapshot());
        cppr(dst, 0, 0xFF);
        assertEquals(0xFF00_1100L, xirr(dst, 0), "the restored rejection is a resend candidate: delivered once CPPR is 0xFF");
    }

    @Test
    void restore_aPresentedIcsSource_isRejectedByAMoreFavouredIpi_andComesBack() {
        Machine src = opened(2);
        setXive(src, VTY, 0, 5);
        src.irq(VTY).pulse();                       // presented on CPU 0, not yet accepted
        Machine dst = opened(2);
        dst.restore(src.snapshot());
        ipi(dst, 1, 0, 3);                          // a more favoured IPI takes the XISR from the ICS source
        assertEquals(0xFF00_0002L, xirr(dst, 0), "the IPI is presented (and accepted: CPPR 3)");
        ipi(dst, 1, 0, 0xFF);
        eoi(dst, 0, 0xFF00_0002L);                  // CPPR back to 0xFF: the rejected VTY is resent
        assertEquals(0xFF00_1100L, xirr(dst, 0), "the source the IPI pushed out was rejected, not lost");
    }

    private static SnapshotException refused(Machine target, String section, String field, Object value) {
        List<SnapshotDump.Section> d = SnapshotDump.decode(rejectedVty().snapshot());
        d.stream().filter(s -> s.name().equals(section)).findFirst().orElseThrow().values().put(field, value);
        String before = Json.write(target.pic());
        SnapshotException e = assertThrows(SnapshotException.class, () -> target.restore(SnapshotDump.encode(d)));
        assertEquals(section, e.section(), e.getMessage());
        assertEquals(before, Json.write(target.pic()), "a refused stream leaves the machine as it was");
        return e;
    }

    private static Object field(String section, String field) {
        return SnapshotDump.decode(rejectedVty().snapshot()).stream().filter(s -> s.name().equals(section)).findFirst()
            .orElseThrow().values().get(field);
    }

    private static void restores(String section, String field, Object value) {
        List<SnapshotDump.Section> d = SnapshotDump.decode(rejectedVty().snapshot());
        d.stream().filter(s -> s.name().equals(section)).findFirst().orElseThrow().values().put(field, value);
        opened(2).restore(SnapshotDump.encode(d));
    }

    @Test
    void refused_aSourceStatusWithUnknownBits_everyKnownBitAccepted() {
        byte[] st = ((byte[]) field("xics/ics", "status")).clone();
        st[VTY - Ics.OFFSET] = (byte) 0x40;
        SnapshotException e = refused(opened(2), "xics/ics", "status", st);
        assertTrue(e.getMessage().contains("source 0x1100: status 0x40 has unknown bits"), e.getMessage());
        st[VTY - Ics.OFFSET] = (byte) (Ics.STATUS_ASSERTED | Ics.STATUS_SENT | Ics.STATUS_REJECTED | Ics.STATUS_MASKED_PENDING);
        restores("xics/ics", "status", st);
    }

    @Test
    void refused_aSourceTargetingAServerThisMachineLacks_server0AndEveryPresentOneAccepted() {
        int[] srv = ((int[]) field("xics/ics", "server")).clone();
        srv[VTY - Ics.OFFSET] = 2;
        SnapshotException e = refused(opened(2), "xics/ics", "server", srv);
        assertTrue(e.getMessage().contains("source 0x1100 targets server 2, which this machine does not have"), e.getMessage());
        srv[VTY - Ics.OFFSET] = 1;
        restores("xics/ics", "server", srv);
    }

    @ParameterizedTest(name = "XISR 0x{0}")
    @ValueSource(ints = {0x0001, 0x0FFF, 0x2000, 0x12345})
    void refused_anXirrPresentingNeitherTheIpiNorAnIcsSource(int xisr) {
        SnapshotException e = refused(opened(2), "xics/icp/0", "xirr", 0x0500_0000 | xisr);
        assertTrue(e.getMessage().contains(String.format("presents source 0x%x, which is neither the IPI nor an ICS source",
            xisr)), e.getMessage());
    }

    @ParameterizedTest(name = "XISR 0x{0}")
    @ValueSource(ints = {0, 0x0002, 0x1000, 0x1FFF})
    void accepted_anXirrPresentingNothingTheIpiOrAnIcsSource(int xisr) {
        restores("xics/icp/0", "xirr", 0x0500_0000 | xisr);
    }

    @Test
    void refused_sourceKindsOtherThanThisMachinesClaims() {
        byte[] flags = ((byte[]) field("xics/ics", "flags")).clone();
        flags[VTY - Ics.OFFSET] = (byte) Ics.FLAG_LSI;
        SnapshotException e = refused(opened(2), "xics/ics", "flags", flags);
        assertTrue(e.getMessage().contains("foreign stream: its source kinds (flags) differ"), e.getMessage());
        assertFalse(e.getMessage().contains("java."), e.getMessage());
    }
}
