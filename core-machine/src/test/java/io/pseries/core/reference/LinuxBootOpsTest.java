package io.pseries.core.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The reading of Linux's reference lists and the in-order alignment the boot-order tests rely
 * on: every guest call of the lists is read (claims, MSI-vector set-up and the CAS byte count
 * are not), and one argument off (an EISN) or one operation moved costs a match.
 */
class LinuxBootOpsTest {

    @Test
    void referenceLists_keepEveryGuestCall_dropQemusOwnWork() {
        List<String> xive = LinuxBootOps.reference("xive_smp4.ops.txt");
        List<String> xics = LinuxBootOps.reference("xics_smp4.ops.txt");
        // 86 numbered lines: 17 claims, 4 MSI-vector set-ups and the CAS byte count left out
        assertEquals(64, xive.size());
        // 50 numbered lines: 4 MSI-vector set-ups and the CAS byte count left out
        assertEquals(45, xics.size());
        assertEquals("cas explicit_match=1 new=0xf000005", xive.get(0));
        assertEquals("set_queue_config flags=0x1 target=0x0 priority=0x6 qsize=0x10", xive.get(2));
        assertEquals("H_CPPR(0xff)", xics.get(1));
        assertEquals("write_xive irq 0x1000 server 0x0 prio 0x5", xics.get(8));
        assertEquals("change_msi cfgaddr 0x0 func 4, requested 4", xics.get(20));
        assertEquals("unimplemented hcall 0x398", xics.get(11));
    }

    @Test
    void alignment_countsOnlyInOrderMatchesWithEveryArgument() {
        List<String> ref = LinuxBootOps.reference("xive_smp4.ops.txt");
        assertEquals(ref.size(), LinuxBootOps.align(ref, ref).matched());
        List<String> eisnOff = new ArrayList<>(ref);
        int i = eisnOff.indexOf("set_source_config flags=0x2 lisn=0x1000 target=0x0 priority=0x6 eisn=0x13");
        eisnOff.set(i, "set_source_config flags=0x2 lisn=0x1000 target=0x0 priority=0x6 eisn=0x11");
        LinuxBootOps.Alignment a = LinuxBootOps.align(ref, eisnOff);
        assertEquals(ref.size() - 1, a.matched());
        assertEquals(List.of("#" + (i + 1) + " " + ref.get(i)), a.missing());
        List<String> moved = new ArrayList<>(ref);
        moved.add(moved.remove(0));
        assertEquals(ref.size() - 1, LinuxBootOps.align(ref, moved).matched());
    }
}
