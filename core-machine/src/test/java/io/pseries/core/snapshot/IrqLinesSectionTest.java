package io.pseries.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** A foreign stream's claim list is reported in one readable line, whatever the number of claims. */
class IrqLinesSectionTest {
    @Test
    void aClaimMismatchNamesBothCountsAndTheFirstNumbersOnlyOneSideClaims() {
        int[] mine = {0x1000, 0x1001, 0x1100};
        int[] stream = IntStream.concat(IntStream.of(0x1000, 0x1001), IntStream.range(0x1300, 0x1300 + 10000)).toArray();
        assertEquals("the stream has 10002, this machine 3; only in the stream: [0x1300, 0x1301, 0x1302, 0x1303, 0x1304,"
            + " 0x1305, 0x1306, 0x1307] and 9992 more; only in the machine: [0x1100]",
            IrqLinesSection.difference(stream, mine));
    }
}
