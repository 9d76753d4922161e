package io.pseries.script;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;

import io.pseries.core.trace.TraceCategory;

/** Runs one script file to completion: what {@code pseries run} does. */
public final class ScriptRunner {
    /** Exit code of a script that threw. */
    public static final int EXIT_SCRIPT_ERROR = 1;
    /** Exit code when the script cannot be read (and of usage errors). */
    public static final int EXIT_NO_SCRIPT = 2;
    /** Exit code when the JVM ran out of heap (raise it with PSERIES_JAVA_OPTS=-Xmx...). */
    public static final int EXIT_OUT_OF_MEMORY = 3;
    /** Exit code when the script ran past --timeout. */
    public static final int EXIT_TIMEOUT = 4;

    private ScriptRunner() {
    }

    /**
     * Runs {@code file} as an ES module with {@code args} in {@code pseries.args}. Trace events
     * of the given categories, from every machine the script creates, go to {@code err}.
     * Returns the process exit code.
     */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, boolean verbose) {
        return run(engine, file, args, out, err, trace, verbose, 0);
    }

    /** As {@link #run(ScriptEngine, Path, List, PrintStream, PrintStream, Set, boolean)}, interrupted after {@code timeoutMs} (0: never). */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, boolean verbose, long timeoutMs) {
        return run(engine, file, args, out, err, trace, verbose, timeoutMs, List.of());
    }

    /** The same, letting the script read {@code allowRead} besides its own directory. */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, boolean verbose, long timeoutMs, List<Path> allowRead) {
        return run(engine, file, args, out, err, trace, verbose, timeoutMs, allowRead, err, m -> { });
    }

    /** The same, trace events going to {@code traceOut} and every machine the script creates shown to {@code onMachine}. */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, boolean verbose, long timeoutMs, List<Path> allowRead, PrintStream traceOut,
                          java.util.function.Consumer<io.pseries.core.Machine> onMachine) {
        return run(engine, file, args, out, err, trace, verbose, timeoutMs, allowRead, List.of(), traceOut, onMachine);
    }

    /** The same, letting m.save(path) write under {@code allowWrite}. */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, boolean verbose, long timeoutMs, List<Path> allowRead,
                          List<Path> allowWrite, PrintStream traceOut,
                          java.util.function.Consumer<io.pseries.core.Machine> onMachine) {
        if (Files.isDirectory(file)) {
            err.println("pseries: cannot run " + file + ": it is a directory (run takes one script; 'pseries test "
                + file + "' runs the *.test.js files in it)");
            return EXIT_NO_SCRIPT;
        }
        if (!Files.isRegularFile(file)) {
            err.println("pseries: cannot read script " + file + ": no such file");
            return EXIT_NO_SCRIPT;
        }
        ScriptEngine.Options o = new ScriptEngine.Options().out(out).err(err).args(args)
            .root(file.toAbsolutePath().getParent()).allowRead(allowRead).allowWrite(allowWrite);
        o.onMachine(m -> {
            for (TraceCategory c : trace) {
                m.trace().subscribe(c, ev -> traceOut.println("[trace] " + ev));
            }
            onMachine.accept(m);
        });
        try (Context ctx = engine.newContext(o); ScriptWatchdog watchdog = new ScriptWatchdog(ctx)) {
            StartupPhases.mark("context");
            try {
                watchdog.arm(timeoutMs);
                ctx.eval(ScriptEngine.moduleSource(file));
                StartupPhases.mark("script");
                return 0;
            } catch (PolyglotException e) {
                watchdog.disarm();
                if (e.isExit()) {
                    return e.getExitStatus();
                }
                // GraalJS keeps no guest frames for these two out of a module: name the script at least
                String where = ScriptErrors.userLocation(e) == null ? ScriptErrors.displayPath(file) + ": " : "";
                if (e.isInterrupted() && watchdog.timedOut()) {
                    err.print(where + ScriptErrors.describe(e, verbose, new ScriptErrors.SourceView() {
                        @Override
                        public CharSequence line(org.graalvm.polyglot.Source s, int line) {
                            return s.getCharacters(line);
                        }

                        @Override
                        public String message(PolyglotException x) {
                            return "Error: the script timed out after " + timeoutMs + " ms (--timeout)";
                        }
                    }));
                    return EXIT_TIMEOUT;
                }
                // described while the context is open: -v reads the Java cause kept on the JS error
                // a thrown non-Error has no location either: name the script
                boolean nameIt = ScriptErrors.isOutOfMemory(e) || (!e.isSyntaxError() && e.isGuestException());
                err.print((nameIt ? where : "") + ScriptErrors.describe(e, verbose));
                return ScriptErrors.isOutOfMemory(e) ? EXIT_OUT_OF_MEMORY : EXIT_SCRIPT_ERROR;
            }
        } finally {
            out.flush();
            err.flush();
        }
    }
}
