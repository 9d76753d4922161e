package io.pseries.core.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device trees QEMU 7.2 built (reference/qemu-dt/*.dts, as dtc decompiled them): where
 * they are, and a reader into path -> (property -> value text), with cell lists decoded on
 * demand. Shared with other modules' tests through core-machine's test jar.
 */
public final class QemuDts {
    private final Map<String, Map<String, String>> nodes;

    private QemuDts(Map<String, Map<String, String>> nodes) {
        this.nodes = nodes;
    }

    /** Reads and parses {@code reference/qemu-dt/<file>}. */
    public static QemuDts load(String file) {
        try {
            return new QemuDts(parse(Files.readString(file(file))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's reference/qemu-dt, found above the working directory (any module's). */
    public static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("reference/qemu-dt");
            if (Files.isDirectory(d)) {
                return d;
            }
        }
        throw new AssertionError("reference/qemu-dt not found above " + Path.of("").toAbsolutePath());
    }

    /** One reference tree, {@code reference/qemu-dt/<file>}; fails when it is missing. */
    public static Path file(String file) {
        Path r = dir().resolve(file);
        if (!Files.isRegularFile(r)) {
            throw new AssertionError("reference tree " + file + " not found in " + dir());
        }
        return r;
    }

    /** A decompiled tree as path -> (property -> value text, "" for an empty property), in file order. */
    public static Map<String, Map<String, String>> parse(String dts) {
        Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        List<String> stack = new ArrayList<>();
        Pattern open = Pattern.compile("^\\s*([^\\s=;{}]+)\\s*\\{\\s*$");
        Pattern prop = Pattern.compile("^\\s*([^\\s=;{}]+)\\s*(?:=\\s*(.*))?;\\s*$");
        for (String line : dts.split("\n")) {
            if (line.startsWith("/dts-v1/") || line.isBlank()) {
                continue;
            }
            Matcher m;
            if ((m = open.matcher(line)).matches()) {
                stack.add(m.group(1));
                nodes.put(path(stack), new LinkedHashMap<>());
            } else if (line.trim().equals("};")) {
                stack.remove(stack.size() - 1);
            } else if ((m = prop.matcher(line)).matches()) {
                nodes.get(path(stack)).put(m.group(1), m.group(2) == null ? "" : m.group(2));
            }
        }
        return nodes;
    }

    private static String path(List<String> stack) {
        return stack.size() == 1 ? "/" : "/" + String.join("/", stack.subList(1, stack.size()));
    }

    /** The properties of a node ({@code /pci@800000020000000/pci@1}); fails when absent. */
    public Map<String, String> node(String path) {
        Map<String, String> n = nodes.get(path);
        if (n == null) {
            throw new AssertionError("reference tree has no node " + path + "; nodes: " + nodes.keySet());
        }
        return n;
    }

    /** Child node names of a path, in file order. */
    public List<String> children(String path) {
        String prefix = path.equals("/") ? "/" : path + "/";
        List<String> out = new ArrayList<>();
        for (String p : nodes.keySet()) {
            if (p.startsWith(prefix) && p.length() > prefix.length() && p.indexOf('/', prefix.length()) < 0) {
                out.add(p.substring(prefix.length()));
            }
        }
        return out;
    }

    public boolean has(String path, String prop) {
        return node(path).containsKey(prop);
    }

    /** A {@code <...>} property as cells; null when the node lacks it. */
    public long[] cells(String path, String prop) {
        String v = node(path).get(prop);
        if (v == null) {
            return null;
        }
        String t = v.trim();
        if (!t.startsWith("<") || !t.endsWith(">")) {
            throw new AssertionError(path + " " + prop + " is not a cell list: " + v);
        }
        String inner = t.replaceAll("[<>,]", " ").trim();
        if (inner.isEmpty()) {
            return new long[0];
        }
        String[] parts = inner.split("\\s+");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Long.decode(parts[i]);
        }
        return out;
    }
}
