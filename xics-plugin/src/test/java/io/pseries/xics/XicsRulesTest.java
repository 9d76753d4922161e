package io.pseries.xics;

import static io.pseries.xics.Ics.FLAG_LSI;
import static io.pseries.xics.Ics.FLAG_MSI;
import static io.pseries.xics.Ics.STATUS_ASSERTED;
import static io.pseries.xics.Ics.STATUS_MASKED_PENDING;
import static io.pseries.xics.Ics.STATUS_REJECTED;
import static io.pseries.xics.Ics.STATUS_SENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure XICS decisions (facts §7.4), each checked by a table of register values. */
class XicsRulesTest {

    @ParameterizedTest(name = "xirr={0} pending={1} prio={2} -> presents={3}")
    @CsvSource({
        // CPPR 0xFF, XISR empty: anything below 0xFF is presented
        "0xFF000000, 0xFF, 5, true",
        "0xFF000000, 0xFF, 0xFE, true",
        // prio >= CPPR is rejected
        "0xFF000000, 0xFF, 0xFF, false",
        "0x05000000, 0xFF, 5, false",
        "0x05000000, 0xFF, 6, false",
        "0x05000000, 0xFF, 4, true",
        // XISR occupied: only a strictly more favoured priority wins
        "0xFF001000, 5, 5, false",
        "0xFF001000, 5, 6, false",
        "0xFF001000, 5, 4, true",
        "0xFF000002, 4, 4, false",
        "0xFF000002, 4, 3, true",
        // CPPR 0 (reset value) rejects everything
        "0x00000000, 0xFF, 0, false",
    })
    void icpIrq_presentsOnlyBelowCpprAndBelowWhatIsPending(String xirr, String pending, String prio, boolean presents) {
        assertEquals(presents, XicsRules.presents(dec(xirr), dec(pending), dec(prio)));
    }

    @ParameterizedTest(name = "xirr={0} pending={1} mfrr={2} -> takes={3}")
    @CsvSource({
        "0xFF000000, 0xFF, 4, true",
        "0xFF001000, 5, 4, true",
        "0xFF001000, 5, 5, false",
        "0xFF001000, 5, 6, false",
        "0xFF000002, 4, 4, false",
        "0xFF000002, 4, 3, true",
    })
    void checkIpi_takesXisrUnlessSomethingAtLeastAsFavouredHoldsIt(String xirr, String pending, String mfrr, boolean takes) {
        assertEquals(takes, XicsRules.ipiTakesXisr(dec(xirr), dec(pending), dec(mfrr)));
    }

    @ParameterizedTest(name = "cppr={0} mfrr={1} -> {2}")
    @CsvSource({"0xFF, 4, true", "0xFF, 0xFE, true", "0xFF, 0xFF, false", "5, 4, true", "5, 5, false", "5, 6, false", "0, 0, false"})
    void mfrr_signalsTheIpiOnlyWhenStrictlyMoreFavouredThanCppr(String cppr, String mfrr, boolean signalled) {
        assertEquals(signalled, XicsRules.ipiSignalled(dec(cppr) << 24, dec(mfrr)));
    }

    @ParameterizedTest(name = "old={0} new={1} xisr={2} pending={3} -> withdraws={4} resends={5}")
    @CsvSource({
        // raise (more favoured) with a pending interrupt at or less favoured than the new CPPR
        "0xFF, 5, 0x1000, 5, true, false",
        "0xFF, 4, 0x1000, 5, true, false",
        "0xFF, 6, 0x1000, 5, false, false",
        "0xFF, 0, 0x0002, 4, true, false",
        // raise with an empty XISR: nothing to withdraw, no resend
        "0xFF, 5, 0, 0xFF, false, false",
        // lower (less favoured) or equal: resend only when XISR is empty
        "5, 0xFF, 0, 0xFF, false, true",
        "5, 5, 0, 0xFF, false, true",
        "5, 0xFF, 0x1000, 4, false, false",
    })
    void setCppr_withdrawsOnRaise_resendsOnLowerWhenIdle(String old, String neu, String xisr, String pending,
        boolean withdraws, boolean resends) {
        int o = dec(old);
        int v = dec(neu);
        int x = (v << 24) | dec(xisr);
        assertEquals(withdraws, XicsRules.cpprWithdraws(o, v, x, dec(pending)));
        assertEquals(resends, XicsRules.cpprResends(o, v, x));
    }

    @ParameterizedTest(name = "accept pending={0} -> {1}")
    @CsvSource({"5, 0x05000000", "4, 0x04000000", "0xFF, 0xFF000000"})
    void accept_cpprBecomesThePendingPriority_xisrEmpties(String pending, String xirr) {
        assertEquals(dec(xirr), XicsRules.accepted(dec(pending)));
    }

    @ParameterizedTest(name = "eoi({1}) on {0} -> {2}")
    @CsvSource({"0x05000000, 0xFF001000, 0xFF000000", "0x04001001, 0xFF000002, 0xFF001001", "0xFF000000, 0x05000000, 0x05000000"})
    void eoi_cpprComesFromTheValue_xisrIsKept(String xirr, String eoi, String after) {
        assertEquals(dec(after), XicsRules.afterEoi(dec(xirr), dec(eoi)));
    }

    @ParameterizedTest(name = "reject flags={0} status={1} -> {2}")
    @CsvSource({
        "MSI, 0, REJECTED",
        "MSI, MASKED_PENDING, REJECTED|MASKED_PENDING",
        "LSI, ASSERTED|SENT, ASSERTED",
        "LSI, ASSERTED, ASSERTED",
        "NONE, 0, 0",
    })
    void icsReject_msiRemembers_lsiBecomesUnsent(String kind, String status, String after) {
        assertEquals(bits(after), XicsRules.rejected(kind(kind), bits(status)));
    }

    @ParameterizedTest(name = "eoi flags={0} status={1} -> {2}")
    @CsvSource({"LSI, ASSERTED|SENT, ASSERTED", "MSI, REJECTED, REJECTED", "MSI, 0, 0"})
    void icsEoi_clearsSentOfAnLsiOnly(String kind, String status, String after) {
        assertEquals(bits(after), XicsRules.eoied(kind(kind), bits(status)));
    }

    @ParameterizedTest(name = "lsi prio={0} status={1} -> fires={2}")
    @CsvSource({
        "5, ASSERTED, true",
        "5, ASSERTED|SENT, false",
        "5, 0, false",
        "0xFF, ASSERTED, false",
    })
    void lsiResend_firesWhenUnmaskedAssertedAndNotSent(String prio, String status, boolean fires) {
        assertEquals(fires, XicsRules.lsiFires(dec(prio), bits(status)));
    }

    @ParameterizedTest(name = "msi prio={0} status={1} -> trigger presents={2}, unmask delivers={3}")
    @CsvSource({
        "5, 0, true, false",
        "5, MASKED_PENDING, true, true",
        "0xFF, MASKED_PENDING, false, false",
        "0xFF, 0, false, false",
    })
    void msi_maskedTriggerIsKept_andDeliveredByAnUnmask(String prio, String status, boolean presents, boolean delivers) {
        assertEquals(presents, XicsRules.msiTriggerPresents(dec(prio)));
        assertEquals(delivers, XicsRules.msiUnmaskDelivers(dec(prio), bits(status)));
    }

    @ParameterizedTest(name = "{0} prio={1} status={2} -> candidate={3}")
    @CsvSource({
        "MSI, 5, REJECTED, true",
        "MSI, 0xFF, REJECTED, true",
        "MSI, 5, 0, false",
        "MSI, 5, MASKED_PENDING, false",
        "LSI, 5, ASSERTED, true",
        "LSI, 0xFF, ASSERTED, false",
        "LSI, 5, ASSERTED|SENT, false",
        "NONE, 5, 0, false",
    })
    void resendCandidate_isExactlyWhatQemusFullWalkWouldActOn(String kind, String prio, String status, boolean candidate) {
        assertEquals(candidate, XicsRules.resendCandidate(kind(kind), bits(status), dec(prio)));
    }

    @ParameterizedTest(name = "lsi level {1} on {0} -> {2}")
    @CsvSource({"0, true, ASSERTED", "SENT, true, ASSERTED|SENT", "ASSERTED|SENT, false, SENT"})
    void lsiLevel_setsOrClearsAsserted(String status, boolean level, String after) {
        assertEquals(bits(after), XicsRules.lsiLevel(bits(status), level));
    }

    /** A decimal or 0x number as a 32-bit register value. */
    private static int dec(String s) {
        return (int) (long) Long.decode(s);
    }

    private static int kind(String k) {
        return switch (k) {
            case "MSI" -> FLAG_MSI;
            case "LSI" -> FLAG_LSI;
            default -> 0;
        };
    }

    private static int bits(String s) {
        int v = 0;
        for (String b : s.split("\\|")) {
            v |= switch (b.trim()) {
                case "ASSERTED" -> STATUS_ASSERTED;
                case "SENT" -> STATUS_SENT;
                case "REJECTED" -> STATUS_REJECTED;
                case "MASKED_PENDING" -> STATUS_MASKED_PENDING;
                default -> dec(b.trim());
            };
        }
        return v;
    }
}
