package io.pseries.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class SuggestTest {

    @Test
    void distanceIsLevenshtein() {
        assertEquals(3, Suggest.distance("kitten", "sitting"));
        assertEquals(0, Suggest.distance("cpus", "cpus"));
        assertEquals(4, Suggest.distance("", "cpus"));
        assertEquals(4, Suggest.distance("cpus", ""));
        assertEquals(1, Suggest.distance("cpu", "cpus"));
        assertEquals(2, Suggest.distance("xive", "xics"), "two substitutions");
    }

    @Test
    void anAdjacentTranspositionIsOneEdit() {
        assertEquals(1, Suggest.distance("memroy", "memory"));
        assertEquals(1, Suggest.distance("ab", "ba"));
        assertEquals(2, Suggest.distance("abc", "cba"));
    }

    @Test
    void distanceIsSymmetric() {
        for (String[] p : new String[][] {{"icMode", "icmod"}, {"spapr-vty", "spapr-vlan"}, {"a", "xyz"}}) {
            assertEquals(Suggest.distance(p[0], p[1]), Suggest.distance(p[1], p[0]), p[0] + "/" + p[1]);
        }
    }

    @Test
    void closestPicksTheNearestCandidate() {
        List<String> keys = List.of("cpus", "icMode", "kernelIrqchip", "host", "memory", "devices", "seed");
        assertEquals("cpus", Suggest.closest("cpu", keys));
        assertEquals("memory", Suggest.closest("memroy", keys));
        assertEquals("devices", Suggest.closest("device", keys));
        assertEquals("kernelIrqchip", Suggest.closest("kernel-irqchip", keys));
    }

    @Test
    void closestIgnoresCaseButReturnsTheCandidateAsWritten() {
        assertEquals("icMode", Suggest.closest("ICMODE", List.of("cpus", "icMode")));
        assertEquals("H_INT_ESB", Suggest.closest("h_int_esb", List.of("H_INT_ESB", "H_EOI")));
    }

    @Test
    void nothingIsSuggestedWhenNothingIsClose() {
        assertNull(Suggest.closest("frobnicate", List.of("cpus", "memory")));
        assertNull(Suggest.closest("x", List.of()));
        // short names: up to two edits are allowed
        assertEquals("id", Suggest.closest("ix", List.of("id", "mac")));
        assertNull(Suggest.closest("mac", List.of("id", "reg")));
    }

    @Test
    void theAllowanceGrowsWithTheLength() {
        // limit = max(2, min(len(bad), len(candidate)) / 2): 5 edits for an 11-letter misspelling
        assertEquals("kernelIrqchip", Suggest.closest("kernlIrqchp", List.of("kernelIrqchip")));
        assertNull(Suggest.closest("kxrxexlxrx", List.of("kernelIrqchip")));
    }

    @Test
    void didYouMeanFormatsTheSuggestionOrNothing() {
        assertEquals(" (did you mean 'spapr-vty'?)", Suggest.didYouMean("spapr-vtty", List.of("spapr-vlan", "spapr-vty")));
        assertEquals("", Suggest.didYouMean("zzzzzzzz", List.of("spapr-vlan", "spapr-vty")));
    }

    @Test
    void aTieIsBrokenTheSameWayWhateverTheCandidateOrder() {
        assertEquals(Suggest.closest("of", List.of("off", "on", "allowed")),
            Suggest.closest("of", List.of("on", "allowed", "off")));
    }

    @Test
    void substringDistanceIsTheEditsToTheBestMatchingPartOfTheText() {
        assertEquals(0, Suggest.substringDistance("cpu 1", "IPIs > cpu 1 takes one"));
        assertEquals(1, Suggest.substringDistance("cpu 1 take one", "IPIs > cpu 1 takes one"));
        assertEquals(3, Suggest.substringDistance("xyz", "abc"));
    }

    @Test
    void closestSubstringRanksTestNamesByTheirBestMatchingPart() {
        java.util.List<String> names = java.util.List.of("IPIs > cpu 0 takes none", "IPIs > cpu 1 takes one IPI", "XICS > accept");
        assertEquals(java.util.List.of("IPIs > cpu 1 takes one IPI", "IPIs > cpu 0 takes none"),
            Suggest.closestSubstring("cpu 1 take one", names, 3));
        assertEquals(java.util.List.of(), Suggest.closestSubstring("qqqqqqqq", names, 3));
    }
}
