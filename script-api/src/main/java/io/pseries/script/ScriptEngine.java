package io.pseries.script;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.function.Consumer;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.io.IOAccess;

import io.pseries.core.Machine;
import io.pseries.script.host.MachineDefaults;
import io.pseries.core.intc.InterruptControllerProvider;
import io.pseries.script.host.EagerClasses;
import io.pseries.script.host.PseriesHost;
import io.pseries.script.spi.ScriptPlugin;

/**
 * The GraalJS host: one shared {@link Engine} (so parsed and compiled code is reused between
 * contexts) and a factory of script contexts that see exactly the {@code pseries} API.
 *
 * <p>A context gets: the {@code pseries} global, {@code console}, ES modules, and read-only
 * file access to the script's directory tree and the directories the user allowed
 * ({@link ReadSandbox}). It does not get Java classes
 * ({@code Java.type} is refused), other polyglot languages, {@code load()}, or any write access.
 * Only members annotated {@code @HostAccess.Export} on the API's host objects are reachable.
 *
 * <p>Threading: contexts are single-threaded; create one per thread. The engine is shared and
 * thread-safe.
 */
public final class ScriptEngine implements AutoCloseable {
    /** Host access: exported members only, plus reading Java arrays the API returns. */
    public static final HostAccess HOST_ACCESS = HostAccess.newBuilder(HostAccess.EXPLICIT)
        .allowArrayAccess(true).allowListAccess(true).build();

    private static final String PRELUDE = resource("pseries-api.js");
    private static final Properties PROPS = properties();

    private final Engine engine;
    private final List<ScriptPlugin> plugins = new ArrayList<>();
    private volatile MachineDefaults machineDefaults;

    /** An engine whose machines start from the environment's defaults ({@link MachineDefaults#fromEnvironment}). */
    public ScriptEngine() {
        this(MachineDefaults.fromEnvironment());
    }

    /** An engine whose machines start from {@code defaults}. */
    public ScriptEngine(MachineDefaults defaults) {
        machineDefaults = defaults == null ? MachineDefaults.NONE : defaults;
        engine = Engine.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
        ServiceLoader.load(ScriptPlugin.class, ScriptEngine.class.getClassLoader()).forEach(plugins::add);
        StartupPhases.mark("js-engine");
        initializeModelClasses(plugins);
        StartupPhases.mark("model-classes");
        warmErrorPaths();
        StartupPhases.mark("error-paths-warm");
    }

    private static boolean modelInitialized;

    /** The model's classes, initialized once per JVM before any script can call it deep in a recursion. */
    private static synchronized void initializeModelClasses(List<ScriptPlugin> plugins) {
        if (modelInitialized) {
            return;
        }
        List<Class<?>> anchors = new ArrayList<>(List.of(Machine.class, PseriesHost.class));
        for (ScriptPlugin p : plugins) {
            anchors.add(p.getClass());
        }
        ServiceLoader.load(InterruptControllerProvider.class, ScriptEngine.class.getClassLoader()).stream()
            .forEach(p -> anchors.add(p.type()));
        EagerClasses.initialize(anchors);
        modelInitialized = true;
    }

    private static boolean errorPathsWarm;

    /**
     * Runs, once per JVM, the error paths a runaway recursion ends in: a Java exception reaching
     * JS, a JS error thrown through a host call back into JS, a Java stack trace rendered. Their
     * JDK and Truffle classes are then initialized here, on a shallow stack, never for the first
     * time at the bottom of an overflowed one (which would poison them for the JVM's lifetime).
     */
    private synchronized void warmErrorPaths() {
        if (errorPathsWarm) {
            return;
        }
        errorPathsWarm = true;
        try (Context ctx = newContext(new Options().out(OutputStream.nullOutputStream()).err(OutputStream.nullOutputStream()))) {
            Value thrower = ctx.eval("js", "(function () { throw new RangeError('warm'); })");
            ProxyExecutable viaHost = a -> thrower.execute();
            ctx.eval("js", "(function (viaHost) {"
                + " try { pseries.machine({ cpus: 0 }); } catch (e) { String(e); String(e.stack); }"
                + " try { viaHost(); } catch (e) { String(e.stack); }"
                + " if (pseries.icModes.length === 0) { return; }"
                + " const m = pseries.machine({ cpus: 2, icMode: pseries.icModes.includes('dual') ? 'dual' : pseries.icModes[0],"
                + " devices: [{ type: 'spapr-vlan' }] });"
                + " const off = m.on('irq', (e) => { throw new Error(String(e.irq)); });"
                + " m.boot(); try { m.guest.ipi(0, 1); m.runUntilIdle(); } catch (e) { String(e.stack); } off();"
                + " m.pic(); m.reset(); m.boot({ xive: 'legacy' }); m.guest.ipi(0, 1); m.runUntilIdle();"
                + " })").execute(viaHost);
            try {
                thrower.execute();
            } catch (PolyglotException e) {
                e.getPolyglotStackTrace().forEach(f -> f.getSourceLocation());
                ScriptErrors.describe(e, true);
            }
        } catch (RuntimeException e) {
            // a plugin set the warm-up does not fit (no controller, other modes): it only warms, it checks nothing
        }
        java.io.StringWriter w = new java.io.StringWriter();
        new IllegalStateException("warm").printStackTrace(new java.io.PrintWriter(w));
        new StackOverflowError().getStackTrace();
    }

    /**
     * Machine options every context's {@code pseries.machine()} starts from (a script's own keys
     * win); by default those of the environment ({@link MachineDefaults#fromEnvironment}).
     * Contexts created afterwards use them.
     */
    public ScriptEngine machineDefaults(MachineDefaults d) {
        machineDefaults = d == null ? MachineDefaults.NONE : d;
        return this;
    }

    public MachineDefaults machineDefaults() {
        return machineDefaults;
    }

    /** The pseries version string. */
    public static String version() {
        return PROPS.getProperty("version", "unknown");
    }

    /** The GraalJS version the build uses. */
    public static String graalVersion() {
        return PROPS.getProperty("graalvm", "unknown");
    }

    /** Whether the optimizing (JIT) runtime is active, rather than the interpreter. */
    public boolean optimized() {
        return !"Interpreted".equals(engine.getImplementationName());
    }

    public Engine engine() {
        return engine;
    }

    /** A context configuration: where output goes, script arguments, a hook on machine creation. */
    public static final class Options {
        OutputStream out = System.out;
        OutputStream err = System.err;
        List<String> args = List.of();
        Consumer<Machine> onMachine;
        Path root;
        List<Path> allowRead = List.of();
        List<Path> allowWrite = List.of();
        ReadSandbox sandbox;

        public Options out(OutputStream o) {
            out = o;
            return this;
        }

        public Options err(OutputStream e) {
            err = e;
            return this;
        }

        public Options args(List<String> a) {
            args = a;
            return this;
        }

        public Options onMachine(Consumer<Machine> c) {
            onMachine = c;
            return this;
        }

        /** Directory imports resolve against (the script's directory); scripts may read the tree under it. */
        public Options root(Path r) {
            root = r;
            return this;
        }

        /**
         * Lets the context made from these options read {@code dir}'s tree from now on: the REPL
         * does so for a file the user loads by name.
         */
        public void allowReadNow(Path dir) {
            if (sandbox != null) {
                sandbox.allow(dir);
            }
        }

        /** Further directory trees scripts may read (--allow-read). */
        public Options allowRead(List<Path> dirs) {
            allowRead = List.copyOf(dirs);
            return this;
        }

        /** The directory trees m.save(path) may write into (--allow-write); none by default. */
        public Options allowWrite(List<Path> dirs) {
            allowWrite = List.copyOf(dirs);
            return this;
        }
    }

    /** A new context with the {@code pseries} global installed. */
    public Context newContext(Options o) {
        Context.Builder b = Context.newBuilder("js").engine(engine)
            .allowHostAccess(HOST_ACCESS)
            .allowHostClassLookup(className -> false)
            .allowPolyglotAccess(PolyglotAccess.NONE)
            .allowCreateThread(false)
            .allowNativeAccess(false)
            .allowIO(IOAccess.newBuilder().fileSystem(o.sandbox = new ReadSandbox(readable(o))).build())
            .option("js.load", "false")
            .option("js.esm-eval-returns-exports", "true")
            .out(o.out)
            .err(o.err);
        if (o.root != null) {
            b.currentWorkingDirectory(o.root.toAbsolutePath());
        }
        Context ctx = b.build();
        ctx.enter();
        try {
            install(ctx, o);
        } finally {
            ctx.leave();
        }
        return ctx;
    }

    /** The trees a context may read: the script's directory (the working directory without one) and the allowed ones. */
    private static List<Path> readable(Options o) {
        List<Path> r = new ArrayList<>();
        r.add(o.root != null ? o.root : Path.of(""));
        r.addAll(o.allowRead);
        return r;
    }

    private void install(Context ctx, Options o) {
        Value makePlugins = ctx.eval(Source.newBuilder("js",
            "(function(host, n, names, fns) { const out = []; for (let i = 0; i < n; i++) {"
                + " const fn = fns[i]; out.push({ name: names[i], appliesTo: (h) => host.pluginApplies(i, h),"
                + " bind: (h, helpers) => fn(host.pluginHost(i, h), helpers) }); } return out; })",
            "pseries-plugins.js").internal(true).buildLiteral());
        PseriesHost host = new PseriesHost(version(), optimized(), o.args, plugins, o.onMachine, machineDefaults);
        ReadSandbox sandbox = o.sandbox;
        if (sandbox != null) {
            host.setFileReader(sandbox::readAllBytes);
        }
        host.setFileWriter(new WriteSandbox(o.root != null ? o.root : Path.of(""), o.allowWrite)::write);
        String[] names = new String[plugins.size()];
        Value fns = ctx.eval("js", "[]");
        for (int i = 0; i < plugins.size(); i++) {
            ScriptPlugin p = plugins.get(i);
            names[i] = p.name();
            fns.setArrayElement(i, ctx.eval(Source.newBuilder("js", p.bindingSource(), "pseries-plugin-" + p.name() + ".js")
                .internal(true).buildLiteral()));
        }
        Value pluginList = makePlugins.execute(host, plugins.size(), names, fns);
        Value prelude = ctx.eval(Source.newBuilder("js", PRELUDE, "pseries-api.js").internal(true).buildLiteral());
        ctx.getBindings("js").putMember("pseries", prelude.execute(host, pluginList));
    }

    /** A source for a script file, loaded as an ES module. */
    public static Source moduleSource(Path file) {
        try {
            return Source.newBuilder("js", file.toFile()).mimeType("application/javascript+module").build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = ScriptEngine.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties properties() {
        Properties p = new Properties();
        try (InputStream in = ScriptEngine.class.getResourceAsStream("pseries.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    @Override
    public void close() {
        engine.close();
    }
}
