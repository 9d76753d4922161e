package io.pseries.xive;

import static io.pseries.xive.XiveTestSupport.PRIO;
import static io.pseries.xive.XiveTestSupport.QPAGE;
import static io.pseries.xive.XiveTestSupport.casMachine;
import static io.pseries.xive.XiveTestSupport.queue;
import static io.pseries.xive.XiveTestSupport.route;
import static io.pseries.xive.XiveTestSupport.xive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.util.Json;

/**
 * The check of {@code xive/tables} against the claims, which follows the numbers the stream
 * lists and the router's count of valid entries instead of visiting every configured number:
 * the count stays true through every kind of write, a stream whose valid numbers differ from the
 * claims is still refused naming the lowest number that differs (whichever way it differs), and
 * a restore leaves zero every entry the stream does not list.
 */
class XiveClaimsCheckTest {

    /** The router's books against a scan of its whole table. */
    private static void assertBooks(XiveRouter rt) {
        int valid = 0;
        List<Integer> written = new java.util.ArrayList<>();
        for (int i = 0; i < rt.nrIrqs(); i++) {
            valid += Eas.valid(rt.eas(i)) ? 1 : 0;
            if (rt.eas(i) != 0) {
                written.add(i);
            }
        }
        assertEquals(valid, rt.validEasCount(), "valid entries");
        assertArrayEquals(written.stream().mapToInt(Integer::intValue).toArray(), rt.writtenEas(), "entries not zero");
    }

    private static Machine claiming(int... lisns) {
        Machine m = casMachine(2);
        queue(m, 1, PRIO, QPAGE, 16, 1);
        for (int l : lisns) {
            m.claimIrq(l, false, "test");
        }
        return m;
    }

    @Test
    void theRoutersCountOfValidEntriesFollowsClaimsRoutingFreesResetsAndRestores() {
        Machine m = claiming(0x1500, 0x1501);
        XiveRouter rt = xive(m).router();
        assertBooks(rt);
        route(m, 0x1500, 1, PRIO, 0x10);
        assertBooks(rt);
        m.freeIrq(0x1500);                                 // not valid, its routing left: not zero
        assertNotEquals(0, rt.eas(0x1500));
        assertBooks(rt);
        m.claimIrq(0x1500, false, "test");
        assertBooks(rt);
        byte[] snap = m.snapshot();
        m.freeIrq(0x1501);
        m.reset();
        assertBooks(rt);
        m.claimIrq(0x1501, false, "test");
        m.restore(snap);
        assertBooks(rt);
    }

    /** {@code m}'s stream with the EAS table's entries replaced by {@code entries} (number to word). */
    private static byte[] withEntries(Machine m, Map<Integer, Long> entries) {
        List<SnapshotDump.Section> d = SnapshotDump.decode(m.snapshot());
        for (SnapshotDump.Section s : d) {
            if (s.name().equals("xive/tables")) {
                TreeMap<Integer, Long> sorted = new TreeMap<>(entries);
                s.values().put("eas_lisns", sorted.keySet().stream().mapToInt(Integer::intValue).toArray());
                s.values().put("eas", sorted.values().stream().mapToLong(Long::longValue).toArray());
            }
        }
        return SnapshotDump.encode(d);
    }

    private static Map<Integer, Long> entries(Machine m) {
        XiveRouter rt = xive(m).router();
        Map<Integer, Long> e = new TreeMap<>();
        for (int i : rt.writtenEas()) {
            e.put(i, rt.eas(i));
        }
        return e;
    }

    private static String refusal(Machine target, byte[] stream) {
        String before = Json.write(target.pic());
        SnapshotException e = assertThrows(SnapshotException.class, () -> target.restore(stream));
        assertEquals("xive/tables", e.section(), e.getMessage());
        assertEquals(before, Json.write(target.pic()), "a refused stream leaves the machine as it was");
        return e.getMessage();
    }

    @Test
    void aStreamWhoseValidNumbersDifferFromTheClaimsIsRefusedNamingTheLowest() {
        Machine src = claiming(0x1500);
        Map<Integer, Long> moved = entries(src);
        long w = moved.remove(0x1500);
        // as many valid numbers as the claims, one of them another number: the lower one is named
        moved.put(0x1600, w);
        assertEquals("snapshot section 'xive/tables': foreign stream: EAS 0x1500 is invalid in the stream but claimed here",
            refusal(claiming(0x1500), withEntries(src, moved)));
        moved.remove(0x1600);
        moved.put(0x1480, w);
        assertEquals("snapshot section 'xive/tables': foreign stream: EAS 0x1480 is valid in the stream but free here",
            refusal(claiming(0x1500), withEntries(src, moved)));
        // one valid number too many, above every claimed one
        Map<Integer, Long> more = entries(src);
        more.put(0x1f00, Eas.VALID | Eas.MASKED);
        assertEquals("snapshot section 'xive/tables': foreign stream: EAS 0x1f00 is valid in the stream but free here",
            refusal(claiming(0x1500), withEntries(src, more)));
        // one too few: a claim the stream lists as a routing left by a free
        Map<Integer, Long> fewer = entries(src);
        fewer.put(0x1500, w & ~Eas.VALID);
        assertEquals("snapshot section 'xive/tables': foreign stream: EAS 0x1500 is invalid in the stream but claimed here",
            refusal(claiming(0x1500), withEntries(src, fewer)));
    }

    @Test
    void aRestoreLeavesZeroEveryEntryTheStreamDoesNotList_andLoadsTheInvalidOnesItDoes() {
        Machine src = claiming(0x1500);
        src.claimIrq(0x1700, false, "test");
        route(src, 0x1700, 1, PRIO, 0x17);
        src.freeIrq(0x1700);                               // listed: not valid, not zero
        Machine dst = claiming(0x1500);
        dst.claimIrq(0x1800, false, "test");
        route(dst, 0x1800, 1, PRIO, 0x18);
        dst.freeIrq(0x1800);                               // not in the stream
        dst.restore(src.snapshot());
        XiveRouter a = xive(src).router();
        XiveRouter b = xive(dst).router();
        assertEquals(0, b.eas(0x1800));
        assertEquals(a.eas(0x1700), b.eas(0x1700));
        assertEquals(entries(src), entries(dst));
        assertBooks(b);
        assertArrayEquals(src.snapshot(), dst.snapshot());
    }
}
