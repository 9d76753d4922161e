package io.pseries.script.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import io.pseries.core.Machine;
import io.pseries.core.trace.TraceCategory;
import io.pseries.script.ScriptEngine;
import io.pseries.script.repl.Repl;
import io.pseries.script.repl.ReplSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pseries repl}: an interactive JavaScript prompt with the pseries API. */
@Command(name = "repl", mixinStandardHelpOptions = true,
    description = {
        "An interactive JavaScript prompt with the pseries API.",
        "",
        "Line editing, history (~/.pseries_history), Tab "
            + "completion of the API and of any value's properties, and ... continuation lines for unfinished input. "
            + "Every input runs in one context, so variables and machines persist (a repeated const or let replaces "
            + "the binding); an error is reported as pseries run reports it (repl:line:column, the line, a caret) "
            + "and the session goes on. Type .help at the prompt for the commands and the API.",
        "",
        "When standard input is not a terminal (a pipe or a file), the REPL reads it line by line without prompts "
            + "or line editing, evaluates each complete input (lines are joined while it is unfinished), prints "
            + "results to stdout and errors to stderr, and stops at the end of the input or at .exit. The exit "
            + "status is then 0 if every input succeeded, 1 if any failed.",
        "",
        "Examples:",
        "  pseries repl",
        "  pseries repl --load scripts/quickstart.js   (then inspect its variables)",
        "  printf 'const m = pseries.machine({ cpus: 2 })\\nm.cpus\\n' | pseries repl",
        ""})
public final class ReplCommand implements Callable<Integer> {

    @Option(names = "--history", paramLabel = "FILE", description = "the history file of interactive sessions (default: ~/.pseries_history)")
    Path history;

    @Option(names = "--no-history", description = "keep no history file (Up/Down still recall this session's inputs)")
    boolean noHistory;

    @Option(names = {"-l", "--load"}, paramLabel = "FILE",
        description = "evaluate FILE first, as .load does (repeatable)")
    List<Path> load = new ArrayList<>();

    @Option(names = {"-i", "--interactive"},
        description = "use prompts and line editing even when standard input is not a terminal")
    boolean interactive;

    @Option(names = "--trace", split = ",", paramLabel = "EVENT",
        description = "print these trace events of every machine: irq, hcall, rtas, mmio, cas, guest_error, guest, intc (comma-separated)")
    List<String> trace = new ArrayList<>();

    @Option(names = {"-v", "--verbose"}, description = "with an error, also print the Java stack trace")
    boolean verbose;

    @CommandLine.Mixin
    MachineDefaultsOption machineDefaults = new MachineDefaultsOption();

    @Option(names = "--allow-read", paramLabel = "DIR",
        description = "let the session import and read files under DIR too (repeatable); by default only the working directory's tree")
    List<Path> allowRead = new ArrayList<>();

    @Option(names = "--allow-write", paramLabel = "DIR",
        description = "let m.save(path) write snapshot files under DIR (repeatable); by default the session writes no file")
    List<Path> allowWrite = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Set<TraceCategory> cats = RunCommand.traceCategories(trace, spec);
        try (ScriptEngine engine = machineDefaults.newEngine(spec.commandLine())) {
            if (interactive || stdinIsTerminal()) {
                return interactive(engine, cats);
            }
            PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true, StandardCharsets.UTF_8);
            try (ReplSession session = new ReplSession(engine, out, err, verbose, tracer(cats, err), allowRead, allowWrite)) {
                preload(session);
                return Repl.batch(session, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            } finally {
                out.flush();
                err.flush();
            }
        }
    }

    private int interactive(ScriptEngine engine, Set<TraceCategory> cats) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().name("pseries").system(true).dumb(true).build()) {
            PrintStream tout = new PrintStream(terminal.output(), true, StandardCharsets.UTF_8);
            try (ReplSession session = new ReplSession(engine, tout, tout, verbose, tracer(cats, tout), allowRead, allowWrite)) {
                preload(session);
                Path file = noHistory ? null : history != null ? history : Path.of(System.getProperty("user.home"), ".pseries_history");
                String banner = "pseries " + ScriptEngine.version() + " REPL (GraalJS " + ScriptEngine.graalVersion()
                    + (engine.optimized() ? ", optimizing" : ", interpreter") + "). .help for help, .exit to leave.";
                return Repl.interactive(session, terminal, file, banner);
            }
        }
    }

    private void preload(ReplSession session) {
        for (Path p : load) {
            session.submit(".load " + p);
        }
    }

    private static Consumer<Machine> tracer(Set<TraceCategory> cats, PrintStream to) {
        if (cats.isEmpty()) {
            return null;
        }
        return m -> {
            for (TraceCategory c : cats) {
                m.trace().subscribe(c, ev -> to.println("[trace] " + ev));
            }
        };
    }

    /**
     * Whether standard input (and output) is a terminal. JDK 22+ always has a Console: ask it
     * (isTerminal, by reflection: the bytecode targets 21); before, a Console exists only then.
     */
    static boolean stdinIsTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
