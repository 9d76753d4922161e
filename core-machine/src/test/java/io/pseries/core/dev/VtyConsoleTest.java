package io.pseries.core.dev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.hcall.PaprRc;

/** The spapr-vty console hcalls, as QEMU's spapr_vty.c answers them. */
class VtyConsoleTest {
    private final Machine m = FakeIntc.machine(1, "xics");
    private static final long VTY = VioDevice.REG_BASE;

    @Test
    void putTermCharWritesLenBytesMostSignificantFirst() {
        long r = m.hcall(0, VtyConsole.H_PUT_TERM_CHAR, VTY, 10, 0x4142_4344_4546_4748L, 0x494A_0000_0000_0000L).rc();
        assertEquals(PaprRc.H_SUCCESS, r);
        assertEquals("ABCDEFGHIJ", m.console());
    }

    @Test
    void putTermCharRefusesMoreThan16BytesAndARegThatIsNotAVty() {
        assertEquals(PaprRc.H_PARAMETER, m.hcall(0, VtyConsole.H_PUT_TERM_CHAR, VTY, 17, 0x41L << 56, 0).rc());
        assertEquals(PaprRc.H_PARAMETER, m.hcall(0, VtyConsole.H_PUT_TERM_CHAR, VTY + 1, 1, 0x41L << 56, 0).rc());
        assertEquals("", m.console(), "nothing written");
    }

    @Test
    void reg0MeansTheVtyWithTheLowestReg() {
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, VtyConsole.H_PUT_TERM_CHAR, 0, 1, 0x5AL << 56, 0).rc());
        assertEquals("Z", m.console());
        Machine none = FakeIntc.machine(MachineConfig.builder().devices(List.of()).build());
        assertEquals(PaprRc.H_PARAMETER, none.hcall(0, VtyConsole.H_PUT_TERM_CHAR, 0, 1, 0x5AL << 56, 0).rc(),
            "no vty at all");
    }

    @Test
    void getTermCharReturnsQueuedInputPackedLikeOutput() {
        m.vty().type("hi".getBytes());
        var r = m.hcall(0, VtyConsole.H_GET_TERM_CHAR, VTY);
        assertEquals(PaprRc.H_SUCCESS, r.rc());
        assertArrayEquals(new long[] {2, 0x6869_0000_0000_0000L, 0}, r.rets());
        assertEquals(0, m.hcall(0, VtyConsole.H_GET_TERM_CHAR, VTY).rets()[0], "nothing left");
    }

    @Test
    void displayCharacterWritesToTheSameConsole() {
        m.hcall(0, VtyConsole.H_PUT_TERM_CHAR, VTY, 1, 0x61L << 56, 0);
        m.rtas(0, "display-character", new int[] {'b'}, 1);
        assertEquals("ab", m.console());
    }
}
