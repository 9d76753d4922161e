package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stream decoded into plain data (sections with their named field values) and encoded back:
 * for {@code ./pseries snapshot info}, for tools that upgrade or edit streams, and for tests
 * that mutate one field. Decoding checks layout and checksums, not meaning.
 *
 * <p>Stateless; any thread.
 */
public final class SnapshotDump {
    /** One section: values are Boolean, Integer (u8, u32), Long, String, byte[], int[] or long[]. */
    public record Section(String name, int version, int minVersion, Map<String, Object> values,
                          Map<String, FieldType> types) {
    }

    private SnapshotDump() {
    }

    /** The sections of a machine's stream or of a host-group checkpoint's host stream ({@link HostGroupSnapshot}). */
    public static List<Section> decode(byte[] stream) {
        List<Section> out = new ArrayList<>();
        for (SnapshotStream.RawSection r : SnapshotStream.parse(stream, null)) {
            SectionReader rd = r.decode(null);
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<String, FieldType> e : rd.types().entrySet()) {
                String n = e.getKey();
                values.put(n, switch (e.getValue()) {
                    case BOOL -> rd.bool(n);
                    case U8 -> rd.u8(n);
                    case U32 -> rd.u32(n);
                    case I64 -> rd.i64(n);
                    case STRING -> rd.string(n);
                    case BYTES -> rd.bytes(n);
                    case INTS -> rd.ints(n);
                    case LONGS -> rd.longs(n);
                });
            }
            out.add(new Section(r.name(), r.version(), r.minVersion(), values, new LinkedHashMap<>(rd.types())));
        }
        return out;
    }

    /** Encodes sections (with valid checksums), fields in the order given. */
    public static byte[] encode(List<Section> sections) {
        List<SnapshotStream.RawSection> raw = new ArrayList<>();
        for (Section s : sections) {
            List<Object> pairs = new ArrayList<>();
            s.types().forEach((n, t) -> {
                pairs.add(n);
                pairs.add(t);
            });
            SectionWriter w = new SectionWriter(s.name(), Schema.of(pairs.toArray()));
            s.types().forEach((n, t) -> {
                Object v = s.values().get(n);
                switch (t) {
                    case BOOL -> w.bool(n, (Boolean) v);
                    case U8 -> w.u8(n, (Integer) v);
                    case U32 -> w.u32(n, (Integer) v);
                    case I64 -> w.i64(n, (Long) v);
                    case STRING -> w.string(n, (String) v);
                    case BYTES -> w.bytes(n, (byte[]) v);
                    case INTS -> w.ints(n, (int[]) v);
                    case LONGS -> w.longs(n, (long[]) v);
                }
            });
            raw.add(new SnapshotStream.RawSection(s.name(), s.version(), s.minVersion(), w.finish()));
        }
        return SnapshotStream.encode(raw);
    }
}
