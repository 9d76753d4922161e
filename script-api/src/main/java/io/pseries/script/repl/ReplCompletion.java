package io.pseries.script.repl;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import io.pseries.script.repl.ApiTypes.Arr;
import io.pseries.script.repl.ApiTypes.Builtin;
import io.pseries.script.repl.ApiTypes.Member;
import io.pseries.script.repl.ApiTypes.Obj;
import io.pseries.script.repl.ApiTypes.Shape;
import io.pseries.script.repl.ApiTypes.Union;
import io.pseries.script.repl.JsLexer.Kind;
import io.pseries.script.repl.JsLexer.Token;

/**
 * Tab completion. It never runs code the user wrote or API calls: it reads variables and
 * properties of values that already exist (as {@code m.guest} does), lists their keys along the
 * prototype chain, and for a call in the chain ({@code m.irq(0x1100).}, {@code pseries.machine().})
 * takes the result's members from the declared return type in {@code pseries.d.ts}, the
 * receiver's interface being recognised by its members.
 *
 * <p>What it completes: dot-commands and {@code .load}'s file name; after a dot, the members of
 * the value (or declared type) before it; otherwise global names, session variables and keywords.
 */
public final class ReplCompletion {
    /** Candidates replacing the text from {@code start} to the cursor. */
    public record Result(int start, List<String> candidates) {
    }

    private static final Result NONE = new Result(0, List.of());

    /** Globals that exist but are of no use here (host class lookup is refused). */
    private static final Set<String> HIDDEN_GLOBALS = Set.of("Java", "Packages", "java", "javafx", "javax", "com", "org", "edu");

    private static final List<String> KEYWORDS = List.of("async", "await", "break", "case", "catch", "class", "const",
        "continue", "debugger", "default", "delete", "do", "else", "extends", "false", "finally", "for", "function",
        "if", "in", "instanceof", "let", "new", "null", "of", "return", "static", "super", "switch", "this", "throw",
        "true", "try", "typeof", "var", "void", "while", "yield");

    private final Value helpers;
    private final ApiTypes api = ReplHelp.API;

    ReplCompletion(Value helpers) {
        this.helpers = helpers;
    }

    /** Candidates for {@code buffer} with the cursor at {@code cursor}. */
    public Result complete(String buffer, int cursor) {
        String before = buffer.substring(0, Math.min(cursor, buffer.length()));
        String lead = before.stripLeading();
        if (lead.startsWith(".") && (lead.length() == 1 || Character.isLetter(lead.charAt(1))) && lead.indexOf('\n') < 0) {
            return command(before);
        }
        try {
            return js(before);
        } catch (PolyglotException | IllegalStateException e) {
            return new Result(before.length(), List.of());
        }
    }

    // ------------------------------------------------------------------ dot-commands

    private Result command(String before) {
        int dot = before.indexOf('.');
        int sp = before.indexOf(' ', dot);
        if (sp < 0) {
            List<String> c = new ArrayList<>();
            for (String cmd : ReplSession.COMMANDS.keySet()) {
                if (cmd.startsWith(before.substring(dot))) {
                    c.add(cmd);
                }
            }
            return new Result(dot, c);
        }
        if (!before.substring(dot, sp).equals(".load")) {
            return new Result(before.length(), List.of());
        }
        int st = sp;
        while (st < before.length() && before.charAt(st) == ' ') {
            st++;
        }
        return new Result(st, files(before.substring(st)));
    }

    /** File names completing {@code partial} (directories end with /). */
    static List<String> files(String partial) {
        int slash = partial.lastIndexOf('/');
        String dirPart = slash < 0 ? "" : partial.substring(0, slash + 1);
        String base = partial.substring(slash + 1);
        Path dir = Path.of(dirPart.isEmpty() ? "." : ReplSession.expandHome(dirPart));
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(base) && (!n.startsWith(".") || base.startsWith("."))) {
                    out.add(dirPart + n + (Files.isDirectory(p) ? "/" : ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    // ------------------------------------------------------------------ JavaScript

    private sealed interface Seg permits Name, Prop, Call, Index, Lit {
    }

    private record Name(String name) implements Seg {
    }

    private record Prop(String name) implements Seg {
    }

    private record Call() implements Seg {
    }

    private record Index(Object key) implements Seg {
    }

    private record Lit(String ctor) implements Seg {
    }

    private Result js(String before) {
        JsLexer lx = JsLexer.lex(before);
        if (lx.end() != JsLexer.End.CLEAN) {
            return new Result(before.length(), List.of());    // inside a string, template or comment
        }
        List<Token> toks = lx.tokens();
        int i = toks.size() - 1;
        String prefix = "";
        int start = before.length();
        if (i >= 0 && toks.get(i).kind() == Kind.IDENT && toks.get(i).end() == before.length()) {
            prefix = toks.get(i).text();
            start = toks.get(i).start();
            i--;
        } else if (i >= 0 && toks.get(i).end() == before.length() && toks.get(i).kind() != Kind.PUNCT) {
            return new Result(start, List.of());    // right after a number or string: nothing to add
        }
        if (i >= 0 && (toks.get(i).is(".") || toks.get(i).is("?."))) {
            List<Seg> chain = chain(toks, i - 1);
            if (chain == null) {
                return new Result(start, List.of());
            }
            return new Result(start, filter(members(chain), prefix));
        }
        if (i >= 0 && toks.get(i).kind() != Kind.PUNCT && !KEYWORDS.contains(toks.get(i).text())) {
            return new Result(start, List.of());    // "a b": no expression continues an identifier
        }
        Collection<String> names = new TreeSet<>(strings(helpers.invokeMember("names", helpers.invokeMember("global", "this").getMember("v"))));
        names.removeAll(HIDDEN_GLOBALS);
        names.addAll(KEYWORDS);
        return new Result(start, filter(names, prefix));
    }

    /** The receiver chain ending at token {@code j}, root first; null if it is not one we can follow. */
    private static List<Seg> chain(List<Token> toks, int j) {
        List<Seg> segs = new ArrayList<>();
        while (j >= 0) {
            Token t = toks.get(j);
            if (t.kind() == Kind.IDENT) {
                if (j >= 1 && (toks.get(j - 1).is(".") || toks.get(j - 1).is("?."))) {
                    segs.add(0, new Prop(t.text()));
                    j -= 2;
                    continue;
                }
                segs.add(0, new Name(t.text()));
                return segs;
            }
            if (t.is(")")) {
                int o = open(toks, j, "(", ")");
                if (o < 1 || !callee(toks.get(o - 1))) {
                    return null;    // (expression). : we would have to evaluate it
                }
                segs.add(0, new Call());
                j = o - 1;
                continue;
            }
            if (t.is("]")) {
                int o = open(toks, j, "[", "]");
                if (o < 0) {
                    return null;
                }
                if (o == 0 || !callee(toks.get(o - 1))) {
                    segs.add(0, new Lit("Array"));
                    return segs;
                }
                if (o + 2 != j) {
                    return null;    // m[expr]: not a literal key
                }
                Token k = toks.get(o + 1);
                if (k.kind() == Kind.STRING) {
                    segs.add(0, new Index(unquote(k.text())));
                } else if (k.kind() == Kind.NUMBER && k.text().matches("\\d+")) {
                    segs.add(0, new Index(Integer.parseInt(k.text())));
                } else {
                    return null;
                }
                j = o - 1;
                continue;
            }
            if (t.kind() == Kind.STRING || (t.kind() == Kind.TEMPLATE && t.text().startsWith("`") && t.closed())) {
                segs.add(0, new Lit("String"));
                return segs;
            }
            if (t.kind() == Kind.NUMBER) {
                segs.add(0, new Lit(t.text().endsWith("n") && !t.text().startsWith("0x") ? "BigInt" : "Number"));
                return segs;
            }
            if (t.kind() == Kind.REGEX) {
                segs.add(0, new Lit("RegExp"));
                return segs;
            }
            return null;
        }
        return null;
    }

    /** Whether a token can end the callee of a call or the object of an index. */
    private static boolean callee(Token t) {
        return (t.kind() == Kind.IDENT && !KEYWORDS.contains(t.text())) || t.is(")") || t.is("]") || t.kind() == Kind.STRING
            || (t.kind() == Kind.TEMPLATE && t.closed()) || t.text().equals("this");
    }

    private static int open(List<Token> toks, int close, String o, String c) {
        int depth = 0;
        for (int k = close; k >= 0; k--) {
            Token t = toks.get(k);
            if (t.is(c)) {
                depth++;
            } else if (t.is(o)) {
                depth--;
                if (depth == 0) {
                    return k;
                }
            }
        }
        return -1;
    }

    private static String unquote(String s) {
        return s.substring(1, s.length() - 1).replace("\\'", "'").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    /**
     * The members of what a chain denotes. Values are followed by reading properties; after a
     * call, by the declared types. Null if the chain cannot be followed.
     */
    private Collection<String> members(List<Seg> chain) {
        Value val = null;
        Shape shape = null;
        Value recv = null;
        String method = null;
        Member pending = null;
        for (Seg s : chain) {
            switch (s) {
                case Name n -> {
                    Value r = helpers.invokeMember("global", n.name());
                    if (r.isNull()) {
                        return List.of();
                    }
                    val = r.getMember("v");
                }
                case Lit l -> shape = new Builtin(l.ctor());
                case Prop p -> {
                    if (val != null) {
                        recv = val;
                        method = p.name();
                        val = get(val, p.name());
                        if (val == null) {
                            return List.of();
                        }
                    } else {
                        Member m = member(shape, p.name());
                        if (m == null) {
                            return List.of();
                        }
                        pending = m.method() ? m : null;
                        shape = m.method() ? new Builtin("Function") : api.shape(m.type());
                    }
                }
                case Call c -> {
                    if (pending != null) {
                        shape = api.shape(pending.type());
                        pending = null;
                    } else if (val != null && recv != null && method != null) {
                        Obj t = typeOf(recv);
                        Member m = t == null ? null : t.members().get(method);
                        if (m == null || !m.method()) {
                            return List.of();
                        }
                        shape = api.shape(m.type());
                        val = null;
                    } else {
                        return List.of();
                    }
                    recv = null;
                    method = null;
                }
                case Index x -> {
                    if (val != null) {
                        recv = val;
                        method = null;
                        val = get(val, x.key());
                        if (val == null) {
                            return List.of();
                        }
                    } else if (shape instanceof Arr a) {
                        shape = a.element();
                    } else {
                        return List.of();
                    }
                }
            }
            if (val == null && shape == null) {
                return List.of();
            }
        }
        return val != null ? strings(helpers.invokeMember("names", val)) : names(shape);
    }

    private Value get(Value v, Object key) {
        try {
            return helpers.invokeMember("get", v, key);
        } catch (PolyglotException e) {
            return null;    // a guarded API object refuses an unknown member; a getter threw
        }
    }

    private static Member member(Shape s, String name) {
        if (s instanceof Obj o) {
            return o.members().get(name);
        }
        if (s instanceof Union u) {
            for (Shape p : u.parts()) {
                Member m = member(p, name);
                if (m != null) {
                    return m;
                }
            }
        }
        return null;
    }

    /** The names a declared type offers. */
    private Collection<String> names(Shape s) {
        if (s == null) {
            return List.of();
        }
        return switch (s) {
            case Obj o -> o.members().keySet();
            case Arr a -> builtin("Array");
            case Builtin b -> builtin(b.ctor());
            case Union u -> {
                Set<String> all = new TreeSet<>();
                for (Shape p : u.parts()) {
                    all.addAll(names(p));
                }
                yield all;
            }
        };
    }

    private Collection<String> builtin(String ctor) {
        Value proto = helpers.invokeMember("proto", ctor);
        return proto.isNull() ? List.of() : strings(helpers.invokeMember("names", proto));
    }

    /**
     * The API interface a value implements: the one with the most members whose required
     * members the value all has (at least two of them).
     */
    private Obj typeOf(Value v) {
        Set<String> have = Set.copyOf(strings(helpers.invokeMember("names", v)));
        Obj best = null;
        int bestN = 0;
        for (Obj o : api.interfaces()) {
            int n = 0;
            boolean all = true;
            for (Member m : o.members().values()) {
                if (!m.optional()) {
                    n++;
                    all &= have.contains(m.name());
                }
            }
            if (all && n >= 2 && n > bestN) {
                best = o;
                bestN = n;
            }
        }
        return best;
    }

    private static List<String> strings(Value arr) {
        List<String> out = new ArrayList<>();
        if (arr == null || !arr.hasArrayElements()) {
            return out;
        }
        for (long k = 0; k < arr.getArraySize(); k++) {
            out.add(arr.getArrayElement(k).asString());
        }
        return out;
    }

    /** Identifier names starting with {@code prefix}, sorted; __proto__-like names only when asked for. */
    private static List<String> filter(Collection<String> names, String prefix) {
        TreeSet<String> out = new TreeSet<>();
        for (String n : names) {
            if (n.startsWith(prefix) && n.matches("[A-Za-z_$#][\\w$]*") && (!n.startsWith("__") || prefix.startsWith("__"))) {
                out.add(n);
            }
        }
        return new ArrayList<>(out);
    }
}
