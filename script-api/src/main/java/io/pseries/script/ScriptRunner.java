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
    /** Exit code when the script cannot be read. */
    public static final int EXIT_NO_SCRIPT = 2;

    private ScriptRunner() {
    }

    /**
     * Runs {@code file} as an ES module with {@code args} in {@code pseries.args}. Trace events
     * of the given categories, from every machine the script creates, go to {@code err}.
     * Returns the process exit code.
     */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, boolean verbose) {
        return run(engine, file, args, out, err, trace, err, verbose);
    }

    /** As above, the trace events going to {@code traceOut}. */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, PrintStream traceOut, boolean verbose) {
        return run(engine, file, args, out, err, trace, traceOut, verbose, m -> { });
    }

    /** As above; {@code onMachine} sees every machine the script creates, as it is created. */
    public static int run(ScriptEngine engine, Path file, List<String> args, PrintStream out, PrintStream err,
                          Set<TraceCategory> trace, PrintStream traceOut, boolean verbose,
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
            .root(file.toAbsolutePath().getParent());
        o.onMachine(m -> {
            for (TraceCategory c : trace) {
                m.trace().subscribe(c, ev -> traceOut.println("[trace] " + ev));
            }
            onMachine.accept(m);
        });
        try (Context ctx = engine.newContext(o)) {
            ctx.eval(ScriptEngine.moduleSource(file));
            return 0;
        } catch (PolyglotException e) {
            if (e.isExit()) {
                return e.getExitStatus();
            }
            if (ScriptErrors.userLocation(e) == null && !e.isSyntaxError()) {
                err.print(file + ": "); // no line to point at: name the script at least
            }
            err.print(ScriptErrors.describe(e, verbose));
            return EXIT_SCRIPT_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
