package io.pseries.script.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import io.pseries.core.trace.TraceCategory;
import io.pseries.core.util.Suggest;
import io.pseries.script.ScriptEngine;
import io.pseries.script.ScriptRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pseries run FILE.js [ARGS...]}. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a JavaScript file (an ES module) against the pseries API.",
        "The script's arguments are in pseries.args.",
        "A script error prints file:line:column, the source line with a caret under the spot, the message",
        "and the script's stack.",
        "Exit codes: 0 success; 1 the script threw; 2 usage error or unreadable script; 3 out of Java heap",
        "(raise it with PSERIES_JAVA_OPTS=-Xmx4g); 4 timed out (--timeout)."})
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE.js", description = "the script to run")
    Path file;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "arguments for the script (pseries.args)")
    List<String> args = new ArrayList<>();

    @Option(names = "--trace", split = ",", paramLabel = "EVENT",
        description = {"print these trace events of every machine to stderr (or --trace-file), comma-separated:",
            "irq, hcall, rtas, mmio, cas, guest_error, unimplemented, intc, guest, kvm, fault, passthrough; 'all', or a glob such as 'guest*'"})
    List<String> trace = new ArrayList<>();

    @Option(names = "--trace-file", paramLabel = "FILE", description = "write the --trace events to FILE instead of stderr")
    Path traceFile;

    @Option(names = "--timeline", paramLabel = "FILE",
        description = {"write the interrupt history of every machine to FILE as a Chrome trace-event / Perfetto JSON file",
            "(open it in ui.perfetto.dev): vCPU tracks with interrupts, ACK, handler, EOI and CPPR, source tracks with PQ,",
            "flows from trigger to delivery, on the virtual clock"})
    Path timeline;

    @Option(names = "--pic", description = "at exit, print each machine's interrupt-controller state (QEMU's 'info pic')")
    boolean pic;

    @Option(names = {"-v", "--verbose"}, description = "on a script error, also print the Java stack trace")
    boolean verbose;

    @CommandLine.Mixin
    MachineDefaultsOption machineDefaults = new MachineDefaultsOption();

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "0", converter = Durations.class,
        description = "stop the script after TIME (ms, or with a unit: 500ms, 30s, 2m; default 0: no limit);"
            + " it then fails at the line it was running, with exit code 4")
    long timeoutMs;

    @Option(names = "--allow-read", paramLabel = "DIR",
        description = "let the script import and read files under DIR too (repeatable); by default it may read only its own directory tree")
    List<Path> allowRead = new ArrayList<>();

    @Option(names = "--allow-write", paramLabel = "DIR",
        description = "let m.save(path) write snapshot files under DIR (repeatable); by default a script writes no file")
    List<Path> allowWrite = new ArrayList<>();

    /** Events a timeline keeps per machine (about 100 MB of JSON at most). */
    static final int TIMELINE_EVENTS = 500_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Set<TraceCategory> cats = traceCategories(trace, spec);
        if (traceFile != null && cats.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--trace-file needs --trace EVENT (or --trace all)");
        }
        PrintStream traceOut = null;
        try (ScriptEngine engine = machineDefaults.newEngine(spec.commandLine())) {
            PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true);
            PrintStream err = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true);
            if (traceFile != null) {
                try {
                    traceOut = new PrintStream(java.nio.file.Files.newOutputStream(traceFile), false, java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    err.println("pseries run: cannot write " + traceFile + ": " + Main.oneLine(e));
                    return ScriptRunner.EXIT_NO_SCRIPT;
                }
            }
            List<io.pseries.core.Machine> machines = new ArrayList<>();
            List<io.pseries.script.timeline.Timeline.Recorder> recorders = new ArrayList<>();
            Progress progress = Progress.forConsole(err);
            boolean terminal = Progress.isTerminal();
            int code = ScriptRunner.run(engine, file, args, out, err, cats, verbose, timeoutMs, allowRead, allowWrite, traceOut == null ? err : traceOut, m -> {
                machines.add(m);
                int index = machines.size();
                if (terminal) {
                    io.pseries.script.host.LongCalls.attach(m, new io.pseries.script.host.LongCalls.Display() {
                        @Override
                        public void update(String text) {
                            progress.update("machine " + index + ", " + text);
                        }

                        @Override
                        public void done() {
                            progress.done();
                        }
                    });
                }
                if (timeline != null) {
                    recorders.add(io.pseries.script.timeline.Timeline.Recorder.attach(m, TIMELINE_EVENTS));
                }
            });
            if (pic) {
                for (int i = 0; i < machines.size(); i++) {
                    out.println("machine " + (i + 1) + " (" + machines.get(i).activeController().name() + "), info pic:");
                    out.print(machines.get(i).activeController().picText());
                }
                out.flush();
            }
            if (timeline != null) {
                try {
                    io.pseries.script.timeline.Timeline.write(timeline, recorders);
                } catch (java.io.IOException e) {
                    err.println("pseries run: cannot write the timeline " + timeline + ": " + Main.oneLine(e));
                    return code == 0 ? 1 : code;
                }
            }
            return code;
        } finally {
            if (traceOut != null) {
                traceOut.close();
            }
        }
    }

    /** The --trace values as categories; an unknown one is a usage error naming the closest. */
    static Set<TraceCategory> traceCategories(List<String> trace, CommandLine.Model.CommandSpec spec) {
        Set<TraceCategory> cats = EnumSet.noneOf(TraceCategory.class);
        for (String t : trace) {
            Set<TraceCategory> c = TraceCategory.select(t);
            if (c.isEmpty()) {
                List<String> names = TraceCategory.jsNames();
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown trace event '" + t + "'"
                    + Suggest.didYouMean(t, names) + "; valid: " + String.join(", ", names) + ", all, or a glob such as 'guest*'");
            }
            cats.addAll(c);
        }
        return cats;
    }
}
