package io.pseries.script.repl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The interfaces of {@code pseries.d.ts}, read just well enough to know what a method of the API
 * returns. Completion uses it for call results ({@code m.irq(0x1100).} lists an IrqLine's members
 * without calling {@code m.irq}), and {@code .help} for its overview.
 *
 * <p>It understands the declarations that file uses: {@code interface Name { ... }} with
 * properties ({@code readonly name?: Type;}) and methods ({@code name(params): Type;}); types
 * are interface names, {@code T[]}, {@code Array<T>}, inline object types, unions and the
 * built-in types, whose members come from the JS prototypes.
 */
final class ApiTypes {
    /** A member of an interface or inline object type. */
    record Member(String name, boolean method, boolean optional, String type, String params, String doc) {
    }

    /** A type, as far as completion cares. */
    sealed interface Shape permits Obj, Arr, Builtin, Union {
    }

    /** An interface or inline object type. {@code name} is null for an inline one. */
    record Obj(String name, Map<String, Member> members) implements Shape {
    }

    /** An array of {@code element}. */
    record Arr(Shape element) implements Shape {
    }

    /** A built-in JS type whose members are those of {@code globalThis[ctor].prototype}. */
    record Builtin(String ctor) implements Shape {
    }

    record Union(List<Shape> parts) implements Shape {
    }

    private static final Pattern INTERFACE = Pattern.compile("(?m)^\\s*interface\\s+([A-Za-z_$][\\w$]*)[^{]*\\{");
    private static final Pattern MEMBER_HEAD = Pattern.compile("^(?:readonly\\s+)?([A-Za-z_$][\\w$]*)(\\?)?\\s*");
    private static final Map<String, String> BUILTIN = Map.of(
        "string", "String", "number", "Number", "bigint", "BigInt", "boolean", "Boolean", "Int", "Number");

    private final Map<String, Obj> interfaces = new LinkedHashMap<>();

    private ApiTypes() {
    }

    /** The API's declarations, from the {@code pseries.d.ts} resource (empty if it is missing). */
    static ApiTypes load() {
        try (InputStream in = ApiTypes.class.getResourceAsStream("/io/pseries/script/pseries.d.ts")) {
            return parse(in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return parse("");
        }
    }

    static ApiTypes parse(String dts) {
        ApiTypes t = new ApiTypes();
        String code = blankComments(dts);   // brackets and quotes inside comments do not count
        Matcher m = INTERFACE.matcher(code);
        while (m.find()) {
            int open = m.end() - 1;
            int close = matching(code, open);
            if (close < 0) {
                break;
            }
            t.interfaces.put(m.group(1), new Obj(m.group(1), members(dts.substring(open + 1, close))));
        }
        return t;
    }

    Obj get(String name) {
        return interfaces.get(name);
    }

    Collection<Obj> interfaces() {
        return interfaces.values();
    }

    /** The shape of a type expression such as {@code IrqLine}, {@code CpuStats[]} or {@code XivePic | XicsPic}. */
    Shape shape(String type) {
        String t = type.trim();
        List<String> parts = split(t, '|');
        if (parts.size() > 1) {
            List<Shape> shapes = new ArrayList<>();
            for (String p : parts) {
                Shape s = shape(p);
                if (s != null) {
                    shapes.add(s);
                }
            }
            return shapes.isEmpty() ? null : shapes.size() == 1 ? shapes.get(0) : new Union(shapes);
        }
        if (t.startsWith("(") && t.endsWith(")") && matching(t, 0) == t.length() - 1) {
            return shape(t.substring(1, t.length() - 1));
        }
        if (t.endsWith("[]")) {
            Shape e = shape(t.substring(0, t.length() - 2));
            return new Arr(e);
        }
        if (t.startsWith("Array<") && t.endsWith(">")) {
            return new Arr(shape(t.substring(6, t.length() - 1)));
        }
        if (t.startsWith("{")) {
            int close = matching(t, 0);
            return close < 0 ? null : new Obj(null, members(t.substring(1, close)));
        }
        if (t.startsWith("'") || t.startsWith("\"")) {
            return new Builtin("String");
        }
        if (t.contains("=>")) {
            return new Builtin("Function");
        }
        if (interfaces.containsKey(t)) {
            return interfaces.get(t);
        }
        if (BUILTIN.containsKey(t)) {
            return new Builtin(BUILTIN.get(t));
        }
        if (t.matches("[A-Z][\\w$]*")) {   // Uint8Array, Error ...: a global constructor
            return new Builtin(t);
        }
        return null;    // void, null, undefined, unknown, any
    }

    /** The member names of an interface or inline object (not of built-ins: those need a context). */
    static Set<String> names(Obj o) {
        return new LinkedHashSet<>(o.members().keySet());
    }

    // ------------------------------------------------------------------ parsing

    private static Map<String, Member> members(String body) {
        Map<String, Member> out = new LinkedHashMap<>();
        String doc = null;
        int i = 0;
        int n = body.length();
        int start = 0;
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        while (i < n) {
            char c = body.charAt(i);
            if (c == '/' && i + 1 < n && body.charAt(i + 1) == '*') {
                int e = body.indexOf("*/", i + 2);
                e = e < 0 ? n : e + 2;
                if (depth == 0 && cur.toString().isBlank()) {
                    doc = cleanDoc(body.substring(i, e));
                }
                i = e;
                continue;
            }
            if (c == '/' && i + 1 < n && body.charAt(i + 1) == '/') {
                int e = body.indexOf('\n', i);
                i = e < 0 ? n : e;
                continue;
            }
            if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']') {
                depth--;
            }
            if (c == ';' && depth == 0) {
                Member m = member(cur.toString().trim(), doc);
                if (m != null) {
                    out.putIfAbsent(m.name(), m);   // the first overload
                }
                cur.setLength(0);
                doc = null;
            } else {
                cur.append(c);
            }
            i++;
        }
        Member last = member(cur.toString().trim(), doc);
        if (last != null) {
            out.putIfAbsent(last.name(), last);
        }
        return out;
    }

    private static Member member(String text, String doc) {
        if (text.isEmpty() || text.startsWith("[")) {
            return null;
        }
        Matcher m = MEMBER_HEAD.matcher(text);
        if (!m.find()) {
            return null;
        }
        String name = m.group(1);
        boolean optional = m.group(2) != null;
        String rest = text.substring(m.end());
        if (rest.startsWith("(")) {
            int close = matching(rest, 0);
            if (close < 0) {
                return null;
            }
            String after = rest.substring(close + 1).trim();
            String type = after.startsWith(":") ? after.substring(1).trim() : "void";
            return new Member(name, true, optional, type, rest.substring(1, close), doc);
        }
        if (rest.startsWith(":")) {
            return new Member(name, false, optional, rest.substring(1).trim(), null, doc);
        }
        return null;
    }

    private static String cleanDoc(String comment) {
        String s = comment.replaceAll("^/\\*\\*?", "").replaceAll("\\*/$", "");
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n")) {
            String l = line.trim().replaceFirst("^\\* ?", "").trim();
            if (!l.isEmpty()) {
                sb.append(sb.length() > 0 ? " " : "").append(l);
            }
        }
        return sb.toString();
    }

    /** {@code s} with the text of comments replaced by spaces (same length, same offsets). */
    private static String blankComments(String s) {
        StringBuilder sb = new StringBuilder(s);
        int i = 0;
        while (i < s.length() - 1) {
            int e;
            if (s.startsWith("/*", i)) {
                e = s.indexOf("*/", i + 2);
                e = e < 0 ? s.length() : e + 2;
            } else if (s.startsWith("//", i)) {
                e = s.indexOf('\n', i);
                e = e < 0 ? s.length() : e;
            } else {
                i++;
                continue;
            }
            for (int j = i; j < e; j++) {
                if (sb.charAt(j) != '\n') {
                    sb.setCharAt(j, ' ');
                }
            }
            i = e;
        }
        return sb.toString();
    }

    /** The index of the bracket closing the one at {@code open}, or -1. */
    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            } else if (c == '\'' || c == '"') {
                int e = s.indexOf(c, i + 1);
                i = e < 0 ? s.length() : e;
            }
        }
        return -1;
    }

    /** Splits at a separator outside brackets (and outside {@code =>} arrows for '|'). */
    private static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int st = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' || c == '(' || c == '[' || c == '<') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']' || (c == '>' && (i == 0 || s.charAt(i - 1) != '='))) {
                depth--;
            } else if (c == '\'' || c == '"') {
                int e = s.indexOf(c, i + 1);
                i = e < 0 ? s.length() - 1 : e;
            } else if (c == sep && depth == 0) {
                out.add(s.substring(st, i));
                st = i + 1;
            }
        }
        out.add(s.substring(st));
        return out;
    }
}
