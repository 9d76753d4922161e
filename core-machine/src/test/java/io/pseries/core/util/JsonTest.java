package io.pseries.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void scalars() {
        assertEquals("null", Json.write(null));
        assertEquals("true", Json.write(true));
        assertEquals("false", Json.write(false));
        assertEquals("42", Json.write(42));
        assertEquals("-7", Json.write(-7L));
        assertEquals("3", Json.write((short) 3));
        assertEquals("-1", Json.write((byte) -1));
        assertEquals("1.5", Json.write(1.5));
        assertEquals("\"xive\"", Json.write("xive"));
    }

    @Test
    void integersBeyondWhatAJsNumberHoldsExactlyTravelAsBigIntMarkers() {
        long max = (1L << 53) - 1;
        assertEquals(String.valueOf(max), Json.write(max));
        assertEquals(String.valueOf(-max), Json.write(-max));
        assertEquals("{\"$big\":\"9007199254740992\"}", Json.write(1L << 53));
        assertEquals("{\"$big\":\"" + 0x6010000000000000L + "\"}", Json.write(0x6010000000000000L));
        assertEquals("{\"$big\":\"-9007199254740992\"}", Json.write(-1L << 53));
    }

    @Test
    void longMinValueTravelsAsABigIntMarkerLikeEveryOtherUnsafeInteger() {
        assertEquals("{\"$big\":\"-9223372036854775808\"}", Json.write(Long.MIN_VALUE));
    }

    @Test
    void nonFiniteDoublesBecomeNull() {
        assertEquals("null", Json.write(Double.NaN));
        assertEquals("null", Json.write(Double.POSITIVE_INFINITY));
        assertEquals("[null,0.25]", Json.write(List.of(Double.NEGATIVE_INFINITY, 0.25)));
    }

    @Test
    void stringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\re\\tf\"", Json.write("a\"b\\c\nd\re\tf"));
        assertEquals("\"\\u0000\\u0007\\u001f\"", Json.write("\u0000\u0007\u001f"));
        assertEquals("\"caf\u00e9 \u2028\"", Json.write("caf\u00e9 \u2028"), "non-ASCII passes through");
        assertEquals("\"/\"", Json.write("/"));
    }

    @Test
    void mapsKeepTheirOrderAndStringifyKeys() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("b", 1);
        m.put("a", List.of());
        m.put(0x1100, "vty");
        m.put("n", null);
        assertEquals("{\"b\":1,\"a\":[],\"4352\":\"vty\",\"n\":null}", Json.write(m));
        assertEquals("{}", Json.write(Map.of()));
        assertEquals("{\"k\\\"\":true}", Json.write(new TreeMap<>(Map.of("k\"", true))));
    }

    @Test
    void nestedCollectionsAndArrays() {
        Map<String, Object> pic = new LinkedHashMap<>();
        pic.put("sources", List.of(Map.of("irq", 4096, "pq", "01"), Map.of("irq", 4097, "pq", "00")));
        pic.put("eq", new long[] {0x80000010L, 0x80000011L});
        pic.put("cpus", new int[] {0, 1});
        pic.put("names", new Object[] {"a", 2, null});
        assertEquals("{\"sources\":[{\"irq\":4096,\"pq\":\"01\"},{\"irq\":4097,\"pq\":\"00\"}],"
            + "\"eq\":[2147483664,2147483665],\"cpus\":[0,1],\"names\":[\"a\",2,null]}",
            Json.write(pic).replace("{\"pq\":\"01\",\"irq\":4096}", "{\"irq\":4096,\"pq\":\"01\"}")
                .replace("{\"pq\":\"00\",\"irq\":4097}", "{\"irq\":4097,\"pq\":\"00\"}"));
        assertEquals("[]", Json.write(new long[0]));
        assertEquals("[[1,2],[]]", Json.write(List.of(List.of(1, 2), List.of())));
    }

    @Test
    void longArrayElementsBeyondTheSafeRangeBecomeBigIntMarkers() {
        assertEquals("[1,{\"$big\":\"9223372036854775807\"}]", Json.write(new long[] {1, -1L >>> 1}));
    }

    @Test
    void unsupportedTypesAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        assertEquals("cannot write java.lang.Object as JSON", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Thread.State.NEW)));
    }

    @Test
    void appendsToAGivenBuilder() {
        StringBuilder sb = new StringBuilder("x=");
        Json.write(sb, List.of(1, "a"));
        assertEquals("x=[1,\"a\"]", sb.toString());
    }

    @Test
    void everyPrimitiveArrayIsWritten() {
        assertEquals("[1.5,2.0]", Json.write(new double[] {1.5, 2.0}));
        assertEquals("[1,-1]", Json.write(new byte[] {1, -1}));
        assertEquals("[true,false]", Json.write(new boolean[] {true, false}));
        assertEquals(Arrays.asList(1, 2).toString().replace(" ", ""), Json.write(new short[] {1, 2}));
    }
}
