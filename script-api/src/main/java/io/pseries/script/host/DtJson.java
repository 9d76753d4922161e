package io.pseries.script.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Dts;

/**
 * A device-tree node as plain data: {@code { name, path, props, children }}. Property values
 * follow dtc's reading of the bytes: a string (or a list of strings), a list of 32-bit cells,
 * {@code true} for an empty property, or {@code { bytes: [...] }} for a byte string (the script
 * side turns that into a Uint8Array).
 */
final class DtJson {
    private DtJson() {
    }

    static Map<String, Object> node(DtNode n, String path) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", n.name().isEmpty() ? "/" : n.name());
        o.put("path", path);
        Map<String, Object> props = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> p : n.props().entrySet()) {
            props.put(p.getKey(), value(p.getValue()));
        }
        o.put("props", props);
        Map<String, Object> children = new LinkedHashMap<>();
        for (DtNode c : n.children()) {
            children.put(c.name(), node(c, (path.endsWith("/") ? path : path + "/") + c.name()));
        }
        o.put("children", children);
        return o;
    }

    static Object value(byte[] v) {
        switch (Dts.guess(v)) {
            case EMPTY:
                return true;
            case STRING: {
                List<String> s = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < v.length; i++) {
                    if (v[i] == 0) {
                        s.add(new String(v, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                        start = i + 1;
                    }
                }
                return s.size() == 1 ? s.get(0) : s;
            }
            case CELLS: {
                List<Long> cells = new ArrayList<>();
                for (int i = 0; i < v.length; i += 4) {
                    cells.add(((v[i] & 0xffL) << 24) | ((v[i + 1] & 0xffL) << 16) | ((v[i + 2] & 0xffL) << 8) | (v[i + 3] & 0xffL));
                }
                return cells;
            }
            default: {
                List<Integer> b = new ArrayList<>();
                for (byte x : v) {
                    b.add(x & 0xff);
                }
                return Map.of("bytes", b);
            }
        }
    }
}
