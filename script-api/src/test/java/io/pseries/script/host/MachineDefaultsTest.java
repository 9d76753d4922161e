package io.pseries.script.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Machine defaults: parsing KEY=VALUE pairs, and a script's own options winning over them. */
class MachineDefaultsTest {

    @Test
    void pairsGiveTypedValues_andDottedKeysNest() {
        MachineDefaults d = MachineDefaults.parse("kernelIrqchip=allowed, cpus=2, nrIrqs=0x11000, host.xive=false", "test");
        assertEquals(Map.of("kernelIrqchip", "allowed", "cpus", 2L, "nrIrqs", 0x11000L, "host", Map.of("xive", false)),
            d.apply(Map.of()));
    }

    @Test
    void aScriptsOwnKeyWins_nestedObjectsMergeKeyByKey_andUndefinedGivesNothing() {
        MachineDefaults d = MachineDefaults.parse("kernelIrqchip=allowed,cpus=2,host.xive=false", "test");
        java.util.HashMap<String, Object> given = new java.util.HashMap<>();
        given.put("cpus", 4);
        given.put("kernelIrqchip", null);
        given.put("host", Map.of("other", 1));
        Map<String, Object> m = d.apply(given);
        assertEquals(4, m.get("cpus"));
        assertEquals("allowed", m.get("kernelIrqchip"));
        assertEquals(Map.of("xive", false, "other", 1), m.get("host"));
    }

    @Test
    void nothingGiven_isNone() {
        assertTrue(MachineDefaults.parse("  ", "test").isEmpty());
        assertTrue(MachineDefaults.parse(null, "test").isEmpty());
    }

    @Test
    void aPairWithoutValue_isAnErrorNamingItAndItsSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MachineDefaults.parse("kernelIrqchip", "--machine-default"));
        assertEquals("bad machine default 'kernelIrqchip' in --machine-default: expected KEY=VALUE, e.g. kernelIrqchip=on",
            e.getMessage());
    }

    @Test
    void anInvalidOption_failsAtParse_withTheMachinesOwnMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MachineDefaults.parse("kernelIrqchip=maybe", "the environment variable PSERIES_MACHINE_DEFAULTS"));
        assertTrue(e.getMessage().startsWith("bad machine default in the environment variable PSERIES_MACHINE_DEFAULTS:"
            + " invalid machine option kernelIrqchip: 'maybe'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MachineDefaults.parse("cpu=2", "x"));
        assertTrue(e.getMessage().contains("unknown machine option 'cpu' (did you mean 'cpus'?)"), e.getMessage());
    }
}
