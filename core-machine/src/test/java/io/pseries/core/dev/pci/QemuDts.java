package io.pseries.core.dev.pci;

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
 * The device trees QEMU 7.2 built (reference/qemu-dt/*.dts, as dtc decompiled them),
 * read into path -> (property -> value text), with cell lists decoded on demand.
 */
final class QemuDts {
    private final Map<String, Map<String, String>> nodes;

    private QemuDts(Map<String, Map<String, String>> nodes) {
        this.nodes = nodes;
    }

    /** Reads {@code reference/qemu-dt/<file>}, looked for above the working directory. */
    static QemuDts load(String file) {
        try {
            return new QemuDts(parse(Files.readString(locate(file))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's copy in reference/qemu-dt (found above the working directory). */
    private static Path locate(String file) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path r = p.resolve("reference/qemu-dt").resolve(file);
            if (Files.isRegularFile(r)) {
                return r;
            }
        }
        throw new AssertionError("reference tree " + file + " not found in reference/qemu-dt above " + Path.of("").toAbsolutePath());
    }

    private static Map<String, Map<String, String>> parse(String dts) {
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
    Map<String, String> node(String path) {
        Map<String, String> n = nodes.get(path);
        if (n == null) {
            throw new AssertionError("reference tree has no node " + path + "; nodes: " + nodes.keySet());
        }
        return n;
    }

    /** Child node names of a path, in file order. */
    List<String> children(String path) {
        String prefix = path.equals("/") ? "/" : path + "/";
        List<String> out = new ArrayList<>();
        for (String p : nodes.keySet()) {
            if (p.startsWith(prefix) && p.length() > prefix.length() && p.indexOf('/', prefix.length()) < 0) {
                out.add(p.substring(prefix.length()));
            }
        }
        return out;
    }

    boolean has(String path, String prop) {
        return node(path).containsKey(prop);
    }

    /** A {@code <...>} property as cells; null when the node lacks it. */
    long[] cells(String path, String prop) {
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
