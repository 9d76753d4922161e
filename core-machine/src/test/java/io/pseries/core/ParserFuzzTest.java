package io.pseries.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.pseries.core.cas.OptionVector;
import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Fdt;

/**
 * Coverage-guided fuzzing of the two byte parsers a guest or a user can feed: the FDT reader
 * ({@link Fdt#read}, for blobs given to the model) and the option-vector decoder
 * ({@link OptionVector#decode}, the CAS vectors). Each must either accept the bytes or refuse
 * them with an {@link IllegalArgumentException} naming the problem, never fail otherwise, and
 * what it accepts must round-trip.
 *
 * <p>Under plain {@code mvn test} these run as regression tests over the inputs in
 * {@code src/test/resources/io/pseries/core/ParserFuzzTestInputs/}. With
 * {@code JAZZER_FUZZ=1} one of them is fuzzed (select it with {@code -Dtest=ParserFuzzTest#fdtReader})
 * for {@code maxDuration} (10 s, what CI runs; the annotation's value is fixed, so a longer run
 * goes through Jazzer's own driver: {@code tools/fuzz.sh fdtReader 30m}). Coverage feedback
 * comes from the parsers' packages ({@code jazzer.instrumentation_includes} in this module's
 * {@code junit-platform.properties}); see docs/fuzzing.md.
 */
class ParserFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void fdtReader(byte[] blob) {
        DtNode tree;
        try {
            tree = Fdt.read(blob);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isEmpty(), "a refusal names the problem");
            return;
        }
        // what was accepted writes out as a blob that reads back as the same tree
        byte[] again = Fdt.write(tree, 0);
        DtNode back = Fdt.read(again);
        assertArrayEquals(again, Fdt.write(back, 0), "write(read(write(tree))) is stable");
        assertEquals(tree.name(), back.name());
    }

    @FuzzTest(maxDuration = "10s")
    void optionVectorDecoder(byte[] encoded) {
        OptionVector v;
        try {
            v = OptionVector.decode(encoded);
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isEmpty(), "a refusal names the problem");
            return;
        }
        OptionVector back = OptionVector.decode(v.encode());
        assertEquals(v, back, "decode(encode(v)) == v");
        for (int i = 1; i <= OptionVector.MAX_BYTES; i++) {
            int b = v.getByte(i);
            assertTrue(b >= 0 && b <= 0xFF, "option byte " + i + " is a byte");
            for (int bit = 0; bit < 8; bit++) {
                assertEquals((b & (0x80 >> bit)) != 0, v.test(OptionVector.bit(i, bit)), "byte " + i + " bit " + bit);
            }
        }
    }
}
