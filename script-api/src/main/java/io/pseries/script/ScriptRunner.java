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
        if (!Files.isRegularFile(file)) {
            err.println("pseries: cannot read script " + file + ": no such file");
            return EXIT_NO_SCRIPT;
        }
        ScriptEngine.Options o = new ScriptEngine.Options().out(out).err(err).args(args)
            .root(file.toAbsolutePath().getParent());
        if (!trace.isEmpty()) {
            o.onMachine(m -> {
                for (TraceCategory c : trace) {
                    m.trace().subscribe(c, ev -> err.println("[trace] " + ev));
                }
            });
        }
        try (Context ctx = engine.newContext(o)) {
            ctx.eval(ScriptEngine.moduleSource(file));
            return 0;
        } catch (PolyglotException e) {
            if (e.isExit()) {
                return e.getExitStatus();
            }
            err.print(ScriptErrors.describe(e, verbose));
            return EXIT_SCRIPT_ERROR;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
