package io.pseries.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RowTest {
    private static final Row.Keys KEYS = Row.keys("lisn", "pq", "masked", "big");

    private static Map<String, Object> linked(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsAsTheLinkedHashMapOfTheSameEntries() {
        Map<String, Object> r = KEYS.row(7, "P-", false, 1L << 60);
        Map<String, Object> l = linked("lisn", 7, "pq", "P-", "masked", false, "big", 1L << 60);
        assertEquals(l, r);
        assertEquals(r, l);
        assertEquals(l.hashCode(), r.hashCode());
        assertEquals(new ArrayList<>(l.keySet()), new ArrayList<>(r.keySet()), "the keys' order");
        assertEquals(new ArrayList<>(l.values()), new ArrayList<>(r.values()));
        assertEquals("P-", r.get("pq"));
        assertTrue(r.containsKey("masked"));
        assertNull(r.get("nope"));
        assertFalse(r.containsKey("nope"));
        assertEquals(4, r.size());
    }

    @Test
    void writesTheSameJsonAsTheLinkedHashMap() {
        Map<String, Object> r = KEYS.row(7, "P-", false, 1L << 60);
        Map<String, Object> l = linked("lisn", 7, "pq", "P-", "masked", false, "big", 1L << 60);
        assertEquals(Json.write(l), Json.write(r));
        assertEquals(Json.write(List.of(l, l)), Json.write(List.of(r, r)));
        assertEquals("{\"lisn\":7,\"pq\":\"P-\",\"masked\":false,\"big\":{\"$big\":\"1152921504606846976\"}}", Json.write(r));
    }

    @Test
    void isReadOnlyAndTakesOneValuePerKey() {
        Map<String, Object> r = KEYS.row(1, "--", true, 0);
        assertThrows(UnsupportedOperationException.class, () -> r.put("lisn", 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KEYS.row(1, "--"));
        assertEquals("4 values expected (lisn, pq, masked, big), got 2", e.getMessage());
    }
}
