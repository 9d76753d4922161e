package io.pseries.core.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.pseries.core.cas.GuestOv5.Offer;

/**
 * What byte 23 the guest asks, from what the platform advertises (xive-facts.md 9.4, Linux
 * prom_init's prom_parse_xive_model, and qemu-observed.md "CAS and device tree").
 */
class GuestOv5Test {

    private static final int XICS_ONLY = 0x00;
    private static final int XIVE_ONLY = 0x40;
    private static final int EITHER = 0x80;

    @ParameterizedTest(name = "offer {0}, platform 0x{1} -> 0x{2}")
    @CsvSource({
        // default kernel: XIVE whenever the platform allows it (facts 9.4: EITHER and EXPLOIT ask, LEGACY does not)
        "BOTH,         00, 00",
        "BOTH,         40, 40",
        "BOTH,         80, 40",
        // xive=off: XICS, except on an XIVE-only platform where Linux ignores it (observed)
        "LEGACY,       00, 00",
        "LEGACY,       40, 40",
        "LEGACY,       80, 00",
        // a kernel that only drives XIVE asks XIVE where the platform offers it
        "EXPLOITATION, 40, 40",
        "EXPLOITATION, 80, 40",
    })
    void byte23ForOfferAndPlatform(Offer offer, String platformHex, String expectedHex) {
        assertEquals(Integer.parseInt(expectedHex, 16), GuestOv5.byte23(offer, Integer.parseInt(platformHex, 16)));
    }

    @Test
    void xiveOffOnAnXiveOnlyPlatformStillAsksXive() {
        // qemu-observed.md: "on an XIVE-only platform, Linux ignores xive=off and still asks 0x40"
        assertEquals(0x40, GuestOv5.byte23(Offer.LEGACY, XIVE_ONLY));
    }

    @Test
    void xiveOffOnADualPlatformAsksXics() {
        assertEquals(0x00, GuestOv5.byte23(Offer.LEGACY, EITHER));
    }

    @Test
    void aDefaultKernelNeverAsksXiveFromAnXicsOnlyPlatform() {
        assertEquals(0x00, GuestOv5.byte23(Offer.BOTH, XICS_ONLY));
    }

    @Test
    void theGuestNeverAsksTheBothValue() {
        // 0x80 is "only valid for the platform to advertise" (facts 9.1)
        for (Offer o : Offer.values()) {
            for (int p : new int[] {XICS_ONLY, XIVE_ONLY, EITHER}) {
                int b = GuestOv5.byte23(o, p);
                assertEquals(0, b & 0x80, o + " on 0x" + Integer.toHexString(p));
            }
        }
    }

    @Test
    void anXiveOnlyKernelAsksXiveEvenOnAnXicsOnlyPlatform() {
        // deliberate: 'exploitation' models a guest without a XICS driver, so that scripts can reach
        // QEMU's fatal "Guest requested unavailable interrupt mode (XIVE)" refusal; a Linux kernel
        // with both drivers ('both') does not ask on such a platform
        assertEquals(0x40, GuestOv5.byte23(Offer.EXPLOITATION, XICS_ONLY));
        assertEquals(0x00, GuestOv5.byte23(Offer.BOTH, XICS_ONLY));
    }

    @Test
    void offerParsesItsScriptNames() {
        assertEquals(Offer.EXPLOITATION, Offer.parse("exploitation"));
        assertEquals(Offer.LEGACY, Offer.parse("legacy"));
        assertEquals(Offer.BOTH, Offer.parse("both"));
    }

    @Test
    void offerParseNamesTheValidValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Offer.parse("xics"));
        assertEquals("invalid xive offer 'xics'; expected 'exploitation', 'legacy' or 'both'", e.getMessage());
    }

    @Test
    void linuxVectorCarriesTheAskedByte23() {
        assertEquals(0x40, GuestOv5.linuxVector(0x40).getByte(23));
        assertEquals(0x00, GuestOv5.linuxVector(0x00).getByte(23));
        assertEquals(0xc0, GuestOv5.linuxVector(0x00).getByte(22));
        assertEquals(0x40, GuestOv5.linuxVector(0x00).getByte(24), "radix asked in byte 24");
    }
}
