package io.pseries.script.repl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

import io.pseries.core.Machine;
import io.pseries.core.util.Suggest;
import io.pseries.script.ScriptEngine;
import io.pseries.script.ScriptErrors;
import io.pseries.script.repl.JsLexer.Kind;
import io.pseries.script.repl.JsLexer.Token;

/**
 * One REPL session: a persistent JS context with the {@code pseries} API, evaluation of what
 * the user typed (JavaScript or a dot-command), result printing, error reports that leave the
 * session usable, and the completeness test that decides when a {@code ...} prompt follows.
 * The terminal side (line editing, history) is {@link Repl}; completion is {@link ReplCompletion}.
 *
 * <p>Input is evaluated as a script (not a module) in one context, so top-level declarations
 * persist. Top-level {@code let} and {@code const} are evaluated as {@code var}: declaring the
 * same name again on a later line replaces the binding (as Node's REPL allows), and a
 * declaration whose initializer threw does not leave the name unusable. The price: such a
 * {@code const} can be reassigned. {@code class} declarations keep script semantics.
 */
public final class ReplSession implements AutoCloseable {
    /** What a submission did. */
    public enum Status { OK, ERROR, EXIT }

    /** The dot-commands, for completion and {@code .help}. */
    static final Map<String, String> COMMANDS = commands();

    private static final String HELPERS = """
        (function () {
          'use strict';
          const inspect = globalThis[Symbol.for('pseries.inspect')];
          const own = (o) => { try { return Object.getOwnPropertyNames(o); } catch (e) { return []; } };
          let last;
          return {
            show(v) {
              try { return inspect ? inspect(v) : String(v); } catch (e) {
                try { return String(v); } catch (e2) { return '[object]'; }
              }
            },
            setLast(v) {
              if (v === undefined) { return; }
              const d = Object.getOwnPropertyDescriptor(globalThis, '_');
              if (d === undefined || (d.writable && globalThis._ === last)) { globalThis._ = v; last = v; }
            },
            names(v) {
              const out = new Set();
              if (v === null || v === undefined) { return []; }
              let o = Object(v);
              for (let i = 0; o !== null && i < 32; i++) {
                for (const k of own(o)) { out.add(k); }
                try { o = Object.getPrototypeOf(o); } catch (e) { break; }
              }
              return [...out];
            },
            get(v, k) { return v[k]; },
            global(name) {
              if (name === 'this') { return { v: globalThis }; }
              if (name in globalThis) { return { v: globalThis[name] }; }
              try { return { v: (0, eval)(name) }; } catch (e) { return null; }
            },
            proto(ctor) { const c = globalThis[ctor]; return typeof c === 'function' ? c.prototype : undefined; },
          };
        })""";

    private final ScriptEngine engine;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean verbose;
    private final Consumer<Machine> onMachine;
    private final ReplMonitor monitor;
    /** What the user typed, by the (rewritten) source that ran: error reports show the original. */
    private final Map<Source, Input> inputs = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Source, Input> e) {
            return size() > 1000;
        }
    };
    private final ScriptErrors.SourceView view = new ScriptErrors.SourceView() {
        @Override
        public CharSequence line(Source s, int line) {
            Input in = inputs.get(s);
            if (in == null) {
                return s.getCharacters(line);
            }
            String[] lines = in.text().split("\n", -1);
            return line >= 1 && line <= lines.length ? lines[line - 1] : s.getCharacters(line);
        }

        @Override
        public int column(Source s, int line, int column) {
            Input in = inputs.get(s);
            return in != null && line == 1 ? Math.max(1, column - in.shift()) : column;
        }

        /** A thrown value that is not an Error shows as a value: {@code throw { code: 1 }}. */
        @Override
        public String message(PolyglotException e) {
            Value thrown = e.isGuestException() && !e.isSyntaxError() ? e.getGuestObject() : null;
            if (thrown != null && thrown.hasMembers() && !thrown.hasMember("stack")) {
                try {
                    return "Uncaught " + show(thrown);
                } catch (PolyglotException | IllegalStateException x) {
                    // fall through to the plain message
                }
            }
            return ScriptErrors.message(e);
        }
    };

    private Context ctx;
    private Value helpers;
    private ReplCompletion completion;
    private boolean anyFailed;
    private volatile boolean evaluating;

    /** The text typed and how many columns the evaluated first line was shifted right. */
    private record Input(String text, int shift) {
    }

    /**
     * A session printing results and {@code console.log} to {@code out}, errors to {@code err};
     * {@code onMachine} (may be null) sees every machine created, for tracing.
     */
    private final List<Path> allowRead;
    private final List<Path> allowWrite;
    private ScriptEngine.Options options;

    public ReplSession(ScriptEngine engine, PrintStream out, PrintStream err, boolean verbose, Consumer<Machine> onMachine) {
        this(engine, out, err, verbose, onMachine, List.of());
    }

    /** A session whose scripts may also read {@code allowRead} (--allow-read), besides the working directory's tree. */
    public ReplSession(ScriptEngine engine, PrintStream out, PrintStream err, boolean verbose, Consumer<Machine> onMachine,
                       List<Path> allowRead) {
        this(engine, out, err, verbose, onMachine, allowRead, List.of());
    }

    /** The same, m.save(path) writing under {@code allowWrite} (--allow-write). */
    public ReplSession(ScriptEngine engine, PrintStream out, PrintStream err, boolean verbose, Consumer<Machine> onMachine,
                       List<Path> allowRead, List<Path> allowWrite) {
        this.allowRead = List.copyOf(allowRead);
        this.allowWrite = List.copyOf(allowWrite);
        this.engine = engine;
        this.out = out;
        this.err = err;
        this.verbose = verbose;
        this.onMachine = onMachine;
        this.monitor = new ReplMonitor(out, err);
        newContext();
    }

    private void newContext() {
        ScriptEngine.Options o = new ScriptEngine.Options().out(out).err(err).root(Path.of("").toAbsolutePath()).allowRead(allowRead)
            .allowWrite(allowWrite);
        o.onMachine(m -> {
            monitor.created(m);
            if (onMachine != null) {
                onMachine.accept(m);
            }
        });
        ctx = engine.newContext(o);
        options = o;
        helpers = ctx.eval(Source.newBuilder("js", HELPERS, "pseries-repl.js").internal(true).buildLiteral()).execute();
        completion = new ReplCompletion(helpers);
        inputs.clear();
    }

    /** Whether any submission so far failed. */
    public boolean anyFailed() {
        return anyFailed;
    }

    // ------------------------------------------------------------------ completeness

    /**
     * Whether {@code text} is a whole input: a dot-command, or JavaScript that does not end
     * inside an expression, a bracket, a template literal, a block comment or a string continued
     * with a backslash. GraalJS's parser decides ({@link PolyglotException#isIncompleteSource()});
     * the lexer adds the literal and comment cases, which the parser reports as plain errors.
     * Input with any other syntax error is complete: evaluating it reports the error.
     */
    public boolean isComplete(String text) {
        if (text.isBlank() || isCommand(text) || lastLineIsBreak(text)) {
            return true;
        }
        JsLexer.End end = JsLexer.lex(text).end();
        if (end == JsLexer.End.TEMPLATE || end == JsLexer.End.COMMENT || end == JsLexer.End.STRING_CONTINUED) {
            return false;
        }
        try {
            ctx.parse(Source.newBuilder("js", text, "repl").cached(false).buildLiteral());
            return true;
        } catch (PolyglotException e) {
            return !e.isIncompleteSource();
        }
    }

    /** A dot-command: a single line starting with a dot and a letter. */
    static boolean isCommand(String text) {
        String t = text.strip();
        return t.length() > 1 && t.charAt(0) == '.' && Character.isLetter(t.charAt(1)) && t.indexOf('\n') < 0;
    }

    private static boolean lastLineIsBreak(String text) {
        int nl = text.lastIndexOf('\n');
        return nl >= 0 && text.substring(nl + 1).strip().equals(".break");
    }

    // ------------------------------------------------------------------ evaluation

    /** Evaluates one whole input (see {@link #isComplete}): a dot-command or JavaScript. */
    public Status submit(String text) {
        Status s;
        if (text.isBlank() || lastLineIsBreak(text)) {
            return Status.OK;
        }
        if (isCommand(text)) {
            s = command(text.strip());
        } else {
            s = eval(text);
        }
        if (s == Status.ERROR) {
            anyFailed = true;
        }
        out.flush();
        err.flush();
        return s;
    }

    private Status eval(String text) {
        String code = text;
        int shift = 0;
        String t = text.strip();
        if (t.startsWith("{") && !t.endsWith(";")) {
            // like Node: { a: 1 } is an object literal, not a block
            String wrapped = "(" + text + "\n)";
            if (parses(wrapped)) {
                code = wrapped;
                shift = 1;
            }
        }
        Source src = Source.newBuilder("js", rewriteDeclarations(code), "repl").buildLiteral();
        inputs.put(src, new Input(text, shift));
        return run(() -> {
            Value v = ctx.eval(src);
            out.println(show(v));
            helpers.invokeMember("setLast", v);
        });
    }

    private boolean parses(String code) {
        try {
            ctx.parse(Source.newBuilder("js", code, "repl").cached(false).buildLiteral());
            return true;
        } catch (PolyglotException e) {
            return false;
        }
    }

    /** How the REPL prints a value: like {@code console.log}, with strings quoted. */
    String show(Value v) {
        return helpers.invokeMember("show", v).asString();
    }

    private Status run(Runnable r) {
        evaluating = true;
        try {
            r.run();
            return Status.OK;
        } catch (PolyglotException e) {
            if (e.isExit()) {
                return Status.EXIT;
            }
            if (e.isInterrupted()) {
                err.println("Interrupted.");
            } else if (e.isCancelled()) {
                err.println("The context was cancelled; starting a new one (variables and machines are gone).");
                newContext();
            } else {
                err.print(ScriptErrors.describe(e, verbose, view));
            }
            return Status.ERROR;
        } finally {
            evaluating = false;
            Thread.interrupted();   // an interrupt that arrived late must not hit the next input
        }
    }

    /**
     * Interrupts a running evaluation (Ctrl+C while it runs), leaving the context usable. Only
     * JavaScript is interrupted: a long call into the machine model finishes first.
     */
    public void interrupt() {
        if (!evaluating) {
            return;
        }
        try {
            ctx.interrupt(Duration.ofSeconds(10));
        } catch (TimeoutException | RuntimeException e) {
            // the evaluation went on in host code: nothing more to do
        }
    }

    /**
     * Top-level {@code let} and {@code const} declarations as {@code var} (same length, so
     * columns in error reports stay right). Declarations inside blocks, functions and loop
     * heads are untouched.
     */
    static String rewriteDeclarations(String code) {
        List<Token> toks = JsLexer.lex(code).tokens();
        StringBuilder sb = null;
        for (int i = 0; i < toks.size(); i++) {
            Token tk = toks.get(i);
            if (tk.depth() != 0 || tk.kind() != Kind.IDENT) {
                continue;
            }
            Token prev = i > 0 ? toks.get(i - 1) : null;
            Token next = i + 1 < toks.size() ? toks.get(i + 1) : null;
            if (prev != null && (prev.is(".") || prev.is("?."))) {
                continue;   // a property named const or let
            }
            String repl = null;
            if (tk.text().equals("const") && next != null) {
                repl = "var  ";
            } else if (tk.text().equals("let") && next != null
                && (prev == null || prev.is(";") || prev.is("}") || tk.newlineBefore())
                && ((next.kind() == Kind.IDENT && !Set.of("in", "instanceof", "of").contains(next.text())) || next.is("[") || next.is("{"))) {
                repl = "var";
            }
            if (repl != null) {
                if (sb == null) {
                    sb = new StringBuilder(code);
                }
                sb.replace(tk.start(), tk.end(), repl);
            }
        }
        return sb == null ? code : sb.toString();
    }

    // ------------------------------------------------------------------ dot-commands

    private static Map<String, String> commands() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(".break", "abandon the input being continued on ... lines (Ctrl+C too)");
        m.put(".clear", "start over in a new context: every variable and machine is dropped");
        m.put(".exit", "leave the REPL (Ctrl+D too)");
        m.put(".help", "this text; .help NAME describes the API members called NAME (e.g. .help irq)");
        m.put(".load", ".load FILE evaluates a file in the session (see below)");
        m.putAll(ReplMonitor.commands());
        return m;
    }

    private Status command(String line) {
        int sp = line.indexOf(' ');
        String cmd = sp < 0 ? line : line.substring(0, sp);
        String arg = sp < 0 ? "" : line.substring(sp + 1).strip();
        switch (cmd) {
            case ".exit":
                return Status.EXIT;
            case ".break":
                return Status.OK;
            case ".clear":
                out.println("Clearing context...");
                ctx.close(true);
                monitor.clear();
                newContext();
                return Status.OK;
            case ".help":
                out.print(arg.isEmpty() ? help() : ReplHelp.member(arg));
                return Status.OK;
            case ".load":
                if (arg.isEmpty()) {
                    err.println(".load: which file? .load FILE");
                    return Status.ERROR;
                }
                return load(expandHome(arg));
            default:
                if (monitor.handles(cmd)) {
                    return monitor.run(cmd, arg) ? Status.OK : Status.ERROR;
                }
                err.println("Invalid REPL keyword " + cmd + Suggest.didYouMean(cmd, COMMANDS.keySet())
                    + "; commands: " + String.join(" ", COMMANDS.keySet()));
                return Status.ERROR;
        }
    }

    static String help() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : COMMANDS.entrySet()) {
            sb.append(String.format("%-8s %s%n", e.getKey(), e.getValue()));
        }
        sb.append("""

            .load FILE: an ES module (a .mjs file, or one with import/export statements) runs as a module and
            its named exports become session variables; any other file runs as a plain script in the session,
            so its top-level declarations (const m = ...) stay visible, as if typed.

            Keys: Tab completes (API members, variables, properties of any value); Up/Down and Ctrl+R search
            the history; an unfinished expression continues on a ... line; Ctrl+C abandons the input or
            interrupts running JavaScript; Ctrl+D leaves.

            """);
        sb.append(ReplHelp.overview());
        return sb.toString();
    }

    static String expandHome(String p) {
        return p.equals("~") || p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p;
    }

    /** {@code .load FILE}: an ES module whose exports become variables, or a plain script. */
    Status load(String file) {
        Path p = Path.of(file);
        String text;
        try {
            text = Files.readString(p);
        } catch (IOException | RuntimeException e) {
            err.println(".load: cannot read " + file + (Files.exists(p) ? ": " + e.getMessage() : ": no such file"));
            return Status.ERROR;
        }
        if (file.endsWith(".mjs") || isModule(text)) {
            // the user named the file: its directory (and its imports there) may be read
            options.allowReadNow(p.toAbsolutePath().getParent());
            return run(() -> {
                Value ns = ctx.eval(ScriptEngine.moduleSource(p));
                Value global = ctx.getBindings("js");
                List<String> names = new ArrayList<>();
                for (String k : ns.getMemberKeys()) {
                    if (!k.equals("default") && k.matches("[A-Za-z_$][\\w$]*")) {
                        global.putMember(k, ns.getMember(k));
                        names.add(k);
                    }
                }
                out.println("loaded " + file + " as an ES module" + (names.isEmpty() ? " (no named exports)" : "; exports: " + String.join(", ", names)));
            });
        }
        Source src;
        try {
            src = Source.newBuilder("js", p.toFile()).content(rewriteDeclarations(text)).build();
        } catch (IOException e) {
            err.println(".load: cannot read " + file + ": " + e.getMessage());
            return Status.ERROR;
        }
        inputs.put(src, new Input(text, 0));
        return run(() -> {
            Value v = ctx.eval(src);
            if (!(v.isNull() && "undefined".equals(v.toString()))) {
                out.println(show(v));
            }
        });
    }

    /** Whether a file has top-level import (not import() or import.meta... ) or export statements. */
    static boolean isModule(String text) {
        List<Token> toks = JsLexer.lex(text).tokens();
        for (int i = 0; i < toks.size(); i++) {
            Token t = toks.get(i);
            if (t.depth() != 0 || t.kind() != Kind.IDENT || (i > 0 && (toks.get(i - 1).is(".") || toks.get(i - 1).is("?.")))) {
                continue;
            }
            Token next = i + 1 < toks.size() ? toks.get(i + 1) : null;
            if (t.text().equals("export")) {
                return true;
            }
            if (t.text().equals("import") && next != null && !next.is("(")) {
                return true;   // import x from, import {..}, import '...', and import.meta (module only)
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ completion

    /** Completion candidates for the text before the cursor (see {@link ReplCompletion}). */
    public ReplCompletion.Result complete(String buffer, int cursor) {
        return completion.complete(buffer, cursor);
    }

    @Override
    public void close() {
        if (ctx != null) {
            ctx.close(true);
            ctx = null;
        }
    }
}
