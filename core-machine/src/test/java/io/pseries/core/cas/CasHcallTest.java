package io.pseries.core.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;

/** KVMPPC_H_CAS as QEMU's h_client_architecture_support answers it. */
class CasHcallTest {
    private static final long VEC = 0x10_0000;
    private static final long BUF = 0x20_0000;

    /** The payload's vector: 2 PVR pairs and the terminator, then 5 option vectors, OV5 byte 23 = {@code b23}. */
    private static void writeVector(Machine m, int vectors, int b23) {
        var ram = m.memory();
        long p = VEC;
        int[] pvrs = {0xFFFF_0000, 0x004E_0000, 0xFFFF_FFFF, 0x0F00_0005, 0, 0xFFFF_FFFF};
        for (int w : pvrs) {
            ram.write32(p, w);
            p += 4;
        }
        ram.write8(p++, vectors - 1);
        int[] ov1 = {2, 0, 0xFF, 0x80};
        for (int b : ov1) {
            ram.write8(p++, b);
        }
        for (int i = 2; i <= Math.min(vectors, 4); i++) {
            ram.write8(p++, 0);
            ram.write8(p++, 0);
        }
        if (vectors >= 5) {
            ram.write8(p++, 25);
            for (int i = 1; i <= 26; i++) {
                ram.write8(p++, i == 23 ? b23 : 0);
            }
        }
    }

    @Test
    void casNegotiatesOptionVector5AndWritesTheUpdatedTreeAfterAVersionHeader() {
        Machine m = FakeIntc.machine(1, "dual");
        writeVector(m, 5, 0x40);
        assertEquals(PaprRc.H_SUCCESS, m.hcall(0, Hcalls.KVMPPC_H_CAS, VEC, BUF, 0x10_0000).rc());
        assertEquals("xive", m.activeController().name());
        assertEquals(1, m.memory().read32(BUF), "update header version 1");
        assertEquals(0xD00D_FEED, m.memory().read32(BUF + 4), "then the FDT");
        byte[] fdt = m.fdt();
        assertEquals(fdt.length, m.memory().read32(BUF + 8), "the tree as the machine returns it after CAS");
    }

    @Test
    void withoutOptionVector5CasAnswersHParameter() {
        Machine m = FakeIntc.machine(1, "dual");
        writeVector(m, 4, 0);
        assertEquals(PaprRc.H_PARAMETER, m.hcall(0, Hcalls.KVMPPC_H_CAS, VEC, BUF, 0x10_0000).rc());
        assertEquals("xics", m.activeController().name(), "unchanged");
    }

    @Test
    void casWithASecondRunningVcpuAnswersMultiThreadsActive() {
        Machine m = FakeIntc.machine(2, "dual");
        m.cpu(1).setRunning(true);
        writeVector(m, 5, 0x40);
        assertEquals(PaprRc.H_MULTI_THREADS_ACTIVE, m.hcall(0, Hcalls.KVMPPC_H_CAS, VEC, BUF, 0x10_0000).rc());
    }

    @Test
    void aFatalRefusalHaltsTheMachineWithQemusMessage() {
        Machine m = FakeIntc.machine(1, "xics");
        writeVector(m, 5, 0x40);
        m.hcall(0, Hcalls.KVMPPC_H_CAS, VEC, BUF, 0x10_0000);
        assertEquals("Guest requested unavailable interrupt mode (XIVE), try the ic-mode=xive or ic-mode=dual machine property",
            m.haltReason());
    }
}
