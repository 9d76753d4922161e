package io.pseries.core.hcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;

/** PAPR's hcall names: a known name the machine does not serve resolves to its number and answers H_FUNCTION. */
class PaprHcallNamesTest {
    @Test
    void namesCarryLinuxsOpcodes() {
        // arch/powerpc/include/asm/hvcall.h
        assertEquals(0x04, PaprHcallNames.opcode("H_REMOVE"));
        assertEquals(0x68, PaprHcallNames.opcode("H_CPPR"));
        assertEquals(0xE0, PaprHcallNames.opcode("H_CEDE"));
        assertEquals(0x3C8, PaprHcallNames.opcode("H_INT_ESB"));
        assertEquals(0xF002, PaprHcallNames.opcode("KVMPPC_H_CAS"));
        assertNull(PaprHcallNames.opcode("H_NOT_A_CALL"));
    }

    @Test
    void everyPaprOpcodeIsAMultipleOfFour() {
        PaprHcallNames.all().forEach((name, op) -> {
            if (op < HcallTable.KVMPPC_BASE) {
                assertEquals(0, op & 3, name);
            }
        });
    }

    @Test
    void aKnownNameTheMachineDoesNotServeAnswersHFunctionAsItsNumberDoes() {
        Machine m = FakeIntc.machine(1, "dual");
        int op = m.hcallOpcode("H_CEDE");
        assertEquals(0xE0, op);
        assertEquals(PaprRc.H_FUNCTION, m.hcall(0, op, new long[0]).rc());
        assertEquals(PaprRc.H_FUNCTION, m.hcall(0, 0xE0, new long[0]).rc());
    }

    @Test
    void aNameNoHcallHasIsAnErrorSuggestingTheClosestRealOne() {
        Machine m = FakeIntc.machine(1, "dual");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.hcallOpcode("H_CEED"));
        assertTrue(e.getMessage().startsWith("unknown hcall 'H_CEED' (did you mean 'H_CEDE'?)"), e.getMessage());
    }
}
