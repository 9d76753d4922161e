package io.pseries.core.dt;

import java.util.Map;

/**
 * Renders a {@link DtNode} tree as device-tree source, in the layout {@code dtc -I dtb -O dts}
 * (1.6) prints: tabs, properties first, a blank line before each child node, and each value in
 * the form dtc guesses from its bytes (string, list of cells, or byte string).
 */
public final class Dts {
    private Dts() {
    }

    /** The whole tree as a dts document. */
    public static String render(DtNode root) {
        StringBuilder sb = new StringBuilder("/dts-v1/;\n\n");
        node(sb, root, "/", 0);
        return sb.toString();
    }

    private static void node(StringBuilder sb, DtNode n, String name, int depth) {
        indent(sb, depth).append(name).append(" {\n");
        for (Map.Entry<String, byte[]> p : n.props().entrySet()) {
            indent(sb, depth + 1).append(p.getKey());
            if (p.getValue().length > 0) {
                sb.append(" = ").append(value(p.getValue()));
            }
            sb.append(";\n");
        }
        for (DtNode c : n.children()) {
            sb.append('\n');
            node(sb, c, c.name(), depth + 1);
        }
        indent(sb, depth).append("};\n");
    }

    private static StringBuilder indent(StringBuilder sb, int depth) {
        for (int i = 0; i < depth; i++) {
            sb.append('\t');
        }
        return sb;
    }

    /** How dtc would print a property value, without the trailing semicolon. */
    public static String value(byte[] v) {
        return switch (guess(v)) {
            case STRING -> stringValue(v);
            case CELLS -> cellValue(v);
            case BYTES -> byteValue(v);
            case EMPTY -> "";
        };
    }

    /** The kinds of values dtc tells apart. */
    public enum Kind { EMPTY, STRING, CELLS, BYTES }

    /**
     * dtc's guess: a string when the value ends in NUL, every byte is printable or NUL and
     * NULs are not more than the other bytes; else cells when the length is a multiple of 4;
     * else bytes.
     */
    public static Kind guess(byte[] v) {
        if (v.length == 0) {
            return Kind.EMPTY;
        }
        int nul = 0;
        boolean allString = true;
        for (byte b : v) {
            if (b == 0) {
                nul++;
            } else if (!printable(b)) {
                allString = false;
            }
        }
        if (v[v.length - 1] == 0 && allString && nul <= v.length - nul) {
            return Kind.STRING;
        }
        return v.length % 4 == 0 ? Kind.CELLS : Kind.BYTES;
    }

    private static boolean printable(byte b) {
        int c = b & 0xff;
        return (c >= 0x20 && c < 0x7f) || c == 7 || c == 8 || c == 9 || c == 10 || c == 11 || c == 12 || c == 13;
    }

    private static String stringValue(byte[] v) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < v.length - 1; i++) {
            int c = v[i] & 0xff;
            switch (c) {
                case 0 -> sb.append("\\0");
                case 7 -> sb.append("\\a");
                case 8 -> sb.append("\\b");
                case 9 -> sb.append("\\t");
                case 10 -> sb.append("\\n");
                case 11 -> sb.append("\\v");
                case 12 -> sb.append("\\f");
                case 13 -> sb.append("\\r");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> sb.append((char) c);
            }
        }
        return sb.append('"').toString();
    }

    private static String cellValue(byte[] v) {
        StringBuilder sb = new StringBuilder("<");
        for (int i = 0; i < v.length; i += 4) {
            long c = ((v[i] & 0xffL) << 24) | ((v[i + 1] & 0xffL) << 16) | ((v[i + 2] & 0xffL) << 8) | (v[i + 3] & 0xffL);
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("0x%02x", c));
        }
        return sb.append('>').toString();
    }

    private static String byteValue(byte[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", v[i] & 0xff));
        }
        return sb.append(']').toString();
    }
}
