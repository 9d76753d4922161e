package io.pseries.core.dt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A device-tree node under construction: a name (with its unit address, e.g.
 * {@code "vty@71000000"}), properties in insertion order and children in insertion order.
 * Property values are raw bytes, exactly as they go into the flattened tree; the typed
 * setters encode the usual forms (big-endian cells, NUL-terminated strings).
 */
public final class DtNode {
    private final String name;
    private final Map<String, byte[]> props = new LinkedHashMap<>();
    private final List<DtNode> children = new ArrayList<>();
    /** The children by name once there are many (/cpus of a large machine): no scan per lookup. */
    private Map<String, DtNode> byName;
    private static final int INDEX_FROM = 16;

    public DtNode(String name) {
        if (name == null || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("bad device-tree node name: " + name);
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Adds a child node and returns it. */
    public DtNode addChild(String childName) {
        if (child(childName) != null) {
            throw new IllegalArgumentException("node " + name + " already has a child " + childName);
        }
        DtNode c = new DtNode(childName);
        children.add(c);
        if (byName != null) {
            byName.put(childName, c);
        } else if (children.size() >= INDEX_FROM) {
            byName = new java.util.HashMap<>();
            for (DtNode k : children) {
                byName.put(k.name, k);
            }
        }
        return c;
    }

    /** The child with this exact name, or {@code null}. */
    public DtNode child(String childName) {
        if (byName != null) {
            return byName.get(childName);
        }
        for (DtNode c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    /** The node at a path relative to this one ({@code "cpus/PowerPC,POWER9@0"}), or null. */
    public DtNode find(String path) {
        DtNode n = this;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            n = n.child(part);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    public List<DtNode> children() {
        return Collections.unmodifiableList(children);
    }

    public Map<String, byte[]> props() {
        return Collections.unmodifiableMap(props);
    }

    public byte[] prop(String propName) {
        return props.get(propName);
    }

    public boolean has(String propName) {
        return props.containsKey(propName);
    }

    public void removeProp(String propName) {
        props.remove(propName);
    }

    /** Puts these properties before the existing ones (replacing any of the same name). */
    public DtNode prepend(Map<String, byte[]> first) {
        Map<String, byte[]> rest = new LinkedHashMap<>(props);
        props.clear();
        for (Map.Entry<String, byte[]> e : first.entrySet()) {
            props.put(e.getKey(), e.getValue().clone());
            rest.remove(e.getKey());
        }
        props.putAll(rest);
        return this;
    }

    /** Sets a raw property value. */
    public DtNode set(String propName, byte[] value) {
        props.put(propName, value.clone());
        return this;
    }

    /** Sets an empty (boolean) property. */
    public DtNode setEmpty(String propName) {
        return set(propName, new byte[0]);
    }

    /** Sets one NUL-terminated string, or a string list when several are given. */
    public DtNode setString(String propName, String... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String v : values) {
            out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return set(propName, out.toByteArray());
    }

    /** Sets a list of 32-bit big-endian cells. */
    public DtNode setCells(String propName, long... cells) {
        byte[] b = new byte[cells.length * 4];
        for (int i = 0; i < cells.length; i++) {
            putU32(b, i * 4, cells[i]);
        }
        return set(propName, b);
    }

    /** Sets a list of 64-bit values, each as two big-endian cells. */
    public DtNode setU64s(String propName, long... values) {
        byte[] b = new byte[values.length * 8];
        for (int i = 0; i < values.length; i++) {
            putU32(b, i * 8, values[i] >>> 32);
            putU32(b, i * 8 + 4, values[i]);
        }
        return set(propName, b);
    }

    static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** The property read as big-endian 32-bit cells (unsigned), or null when absent. */
    public long[] cells(String propName) {
        byte[] v = props.get(propName);
        if (v == null) {
            return null;
        }
        long[] out = new long[v.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((v[i * 4] & 0xffL) << 24) | ((v[i * 4 + 1] & 0xffL) << 16)
                | ((v[i * 4 + 2] & 0xffL) << 8) | (v[i * 4 + 3] & 0xffL);
        }
        return out;
    }

    /** The property read as NUL-separated strings, or null when absent. */
    public List<String> strings(String propName) {
        byte[] v = props.get(propName);
        if (v == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) {
                out.add(new String(v, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < v.length) {
            out.add(new String(v, start, v.length - start, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Whether the node's {@code compatible} list contains {@code c}. */
    public boolean compatibleWith(String c) {
        List<String> l = strings("compatible");
        return l != null && l.contains(c);
    }

    /** Depth-first search for the first node (this one included) satisfying the test. */
    public DtNode findFirst(java.util.function.Predicate<DtNode> test) {
        if (test.test(this)) {
            return this;
        }
        for (DtNode c : children) {
            DtNode f = c.findFirst(test);
            if (f != null) {
                return f;
            }
        }
        return null;
    }
}
