package io.pseries.testscripts.host;

import static io.pseries.testscripts.host.KvmMigrationSequenceTest.DEV;
import static io.pseries.testscripts.host.KvmMigrationSequenceTest.mgmt;
import static io.pseries.testscripts.host.KvmMigrationSequenceTest.sections;
import static io.pseries.testscripts.host.KvmMigrationSequenceTest.spapr;
import static io.pseries.testscripts.host.KvmMigrationSequenceTest.threeSources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.host.Vma;
import io.pseries.core.snapshot.MachineSnapshot;
import io.pseries.core.snapshot.Migration;
import io.pseries.core.trace.TraceCategory;
import io.pseries.xive.Eas;

/**
 * The host's faulted ESB and TIMA pages across a checkpoint (issue 11). The run-state handlers'
 * ESB loads (passthrough-facts 5.1: GET and SET_PQ_10 at the stop, SET_PQ_00 + PQ at the run) go
 * through the VMM's mapping and fault in the management page of every valid source, on the
 * source and again on the destination. They are the VMM's own accesses: a snapshot records the
 * pages faulted before its stop, and a checkpoint (a restore that must be invisible) leaves the
 * fresh host with exactly those, so a guest access that faults on the source faults after the
 * checkpoint too. A real restore or migration still runs KVM's sequence, and keeps what its
 * run handler faulted in, as QEMU's destination does.
 */
class CheckpointHostPagesTest {

    /** Each device mapping's present pages, by name ("xive.esb-kvm", "xive.tima"). */
    private static Map<String, List<Long>> faulted(Machine m) {
        Map<String, List<Long>> out = new java.util.TreeMap<>();
        for (Vma v : m.host().vmas()) {
            if (v.file() != null) {
                List<Long> l = new ArrayList<>();
                for (long p : v.presentPages()) {
                    l.add(p);
                }
                out.put(v.name(), l);
            }
        }
        return out;
    }

    /** The management (EOI) page of every valid source: what the run handler's loads fault in. */
    private static TreeSet<Long> eoiPagesOfValidSources(Machine m) {
        TreeSet<Long> s = new TreeSet<>();
        for (int lisn = 0; lisn < spapr(m).nrIrqs(); lisn++) {
            if (Eas.valid(spapr(m).router().eas(lisn))) {
                s.add(2L * lisn + 1);
            }
        }
        return s;
    }

    /** LISN 0 and 0x1000 routed; only LISN 0's management page and the TIMA OS page faulted by the guest. */
    private static Machine source() {
        Machine m = threeSources("on");
        Map<String, List<Long>> f = faulted(m);
        assertEquals(List.of(1L, 2L * DEV + 1), f.get("xive.esb-kvm"), "the guest's two management-page loads");
        assertTrue(eoiPagesOfValidSources(m).size() > 2, "more valid sources than the guest touched");
        return m;
    }

    @Test
    void aSnapshotRecordsThePagesFaultedBeforeItsStop_notTheStopHandlersOwnLoads() {
        Machine m = source();
        Map<String, List<Long>> before = faulted(m);
        byte[] s = m.snapshot();
        assertTrue(faulted(m).get("xive.esb-kvm").containsAll(eoiPagesOfValidSources(m)),
            "the stop handler's loads faulted every valid source's management page in on the source (QEMU's do)");
        Map<String, Object> host = sections(s).get("host/kvm");
        List<Long> recorded = new ArrayList<>();
        for (long p : (long[]) host.get("faultedPage")) {
            recorded.add(p);
        }
        List<Long> want = new ArrayList<>(before.get("xive.esb-kvm"));
        want.addAll(before.get("xive.tima"));
        assertEquals(want, recorded, "ESB pages, then the TIMA's, as before the stop");
    }

    @Test
    void aCheckpointLeavesTheFreshHostWithExactlyTheSourcesFaultedPages() {
        Machine m = source();
        Map<String, List<Long>> before = faulted(m);
        Machine fresh = Machine.create(m.config());
        long zapped = MachineSnapshot.restoreAsCheckpoint(fresh, m.snapshot());
        assertEquals(before, faulted(fresh));
        assertEquals(eoiPagesOfValidSources(m).size() - 2, zapped,
            "the run handler's pages of the valid sources the guest had not touched");
    }

    @Test
    void afterACheckpoint_aGuestAccessFaultsAsItWouldHaveOnTheSource() {
        Machine m = source();
        int lisn = eoiPagesOfValidSources(m).stream().mapToInt(p -> (int) (p / 2)).filter(l -> l != 0 && l != DEV)
            .findFirst().orElseThrow();
        Machine fresh = Machine.create(m.config());
        MachineSnapshot.restoreAsCheckpoint(fresh, m.snapshot());
        List<String> faults = new ArrayList<>();
        fresh.on(TraceCategory.FAULT, e -> faults.add(e.name() + " page " + e.fields().get("page")));
        fresh.load(0, mgmt(lisn, 0x800), 8);
        fresh.load(0, mgmt(0, 0x800), 8);
        assertEquals(List.of("fault page " + (2L * lisn + 1)), faults,
            "the untouched source's page faults once; LISN 0's, faulted on the source, does not");
    }

    @Test
    void aRealRestoreStillRunsKvmsSequence_itsRunHandlerFaultsInEveryValidSourcesManagementPage() {
        Machine m = source();
        Machine dst = Machine.create(m.config());
        dst.restore(m.snapshot());
        TreeSet<Long> have = new TreeSet<>(faulted(dst).get("xive.esb-kvm"));
        assertTrue(have.containsAll(eoiPagesOfValidSources(m)), have.toString());
        assertTrue(have.containsAll(faulted(m).get("xive.esb-kvm")), "and the source's own pages");
    }

    @Test
    void aMigrationToo_andItsDestinationFaultsAgainWhatTheGuestHadFaulted() {
        Machine m = source();
        List<Long> guest = faulted(m).get("xive.tima");
        Machine dst = Migration.migrate(m, Machine::create).destination();
        TreeSet<Long> have = new TreeSet<>(faulted(dst).get("xive.esb-kvm"));
        assertTrue(have.containsAll(eoiPagesOfValidSources(dst)), have.toString());
        assertEquals(guest, faulted(dst).get("xive.tima"));
    }
}
