package io.pseries.script.host;

import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.snapshot.ConfigSection;
import io.pseries.core.util.Json;
import io.pseries.script.spi.ScriptPlugin;

/**
 * The Java half of the {@code pseries} global of one script context: creates machines and
 * answers the global's informational members.
 */
public final class PseriesHost {
    /** The guest path's bound on RTAS nargs and nret (see Machine's RTAS argument buffer check). */
    public static final int MAX_RTAS_WORDS = 64;
    /** A million events: about 200 MB of trace at most, far more than any test reads. */
    public static final int MAX_RECORDED_EVENTS = 1_000_000;
    private final String version;
    private final boolean optimized;
    private final List<String> args;
    private final List<ScriptPlugin> plugins;
    private final java.util.function.Consumer<Machine> onCreate;
    private final MachineDefaults defaults;
    private final MachineHost.Nesting nesting = new MachineHost.Nesting();

    public PseriesHost(String version, boolean optimized, List<String> args, List<ScriptPlugin> plugins,
                       java.util.function.Consumer<Machine> onCreate) {
        this(version, optimized, args, plugins, onCreate, MachineDefaults.NONE);
    }

    /** With machine options every {@code pseries.machine()} starts from. */
    public PseriesHost(String version, boolean optimized, List<String> args, List<ScriptPlugin> plugins,
                       java.util.function.Consumer<Machine> onCreate, MachineDefaults defaults) {
        this.version = version;
        this.optimized = optimized;
        this.args = List.copyOf(args);
        this.plugins = plugins;
        this.onCreate = onCreate;
        this.defaults = defaults;
    }

    @HostAccess.Export
    public MachineHost machine(Value options) {
        StackHeadroom.require("pseries.machine()");
        Object o = Values.toJava(options, "pseries.machine options");
        @SuppressWarnings("unchecked")
        Map<String, ?> map = o == null ? Map.of() : (Map<String, ?>) o;
        Machine m = Machine.create(MachineConfig.fromMap(defaults.apply(map)));
        if (onCreate != null) {
            onCreate.accept(m);
        }
        MachineHost h = new MachineHost(m, nesting);
        h.cpuHost().setFileReader(fileReader);
        return h;
    }

    /** {@code pseries.host(options)}: a physical host several machines can share. */
    @HostAccess.Export
    public PhysicalHostBinding host(Value options) {
        Object o = Values.toJava(options, "pseries.host options");
        @SuppressWarnings("unchecked")
        Map<String, ?> map = o == null ? Map.of() : (Map<String, ?>) o;
        return new PhysicalHostBinding(PhysicalHostBinding.create(map), this);
    }

    /** {@code host.machine(options)}: a machine on a shared host (its {@code host} option is the host's). */
    MachineHost machineOn(PhysicalHostBinding binding, Value options) {
        StackHeadroom.require("host.machine()");
        Object o = Values.toJava(options, "host.machine options");
        @SuppressWarnings("unchecked")
        Map<String, ?> map = o == null ? Map.of() : (Map<String, ?>) o;
        if (map.containsKey("host")) {
            throw new IllegalArgumentException("host.machine: the 'host' option belongs to pseries.host({...}), whose"
                + " host this machine runs on");
        }
        Machine m = Machine.create(MachineConfig.fromMap(defaults.apply(map)), binding.host());
        if (onCreate != null) {
            onCreate.accept(m);
        }
        MachineHost h = new MachineHost(m, nesting);
        h.markSharedHost(binding);
        h.cpuHost().setFileReader(fileReader);
        return h;
    }

    /** Reads a file for m.loadElf(path) under the script's read sandbox; throws IOException or SecurityException. */
    @FunctionalInterface
    public interface FileReader {
        byte[] read(String path) throws java.io.IOException;
    }

    private FileReader fileReader = path -> {
        throw new SecurityException("reading " + path + " is not allowed: this context has no file access");
    };

    /** Sets how m.loadElf(path) and pseries.load(path) read files (the script engine passes its read sandbox). */
    public void setFileReader(FileReader r) {
        fileReader = r;
    }

    /** Writes a whole file for m.save(path) under the script's write rules; throws IOException or SecurityException. */
    @FunctionalInterface
    public interface FileWriter {
        void write(String path, byte[] data) throws java.io.IOException;
    }

    private FileWriter fileWriter = (path, data) -> {
        throw new SecurityException("writing " + path + " is not allowed: this context has no file access");
    };

    /** Sets how m.save(path) writes files (the script engine passes its write sandbox). */
    public void setFileWriter(FileWriter w) {
        fileWriter = w;
    }

    /** {@code m.save(path)}: the machine's snapshot written as the whole file; returns its size in bytes. */
    @HostAccess.Export
    public long saveSnapshot(MachineHost h, String path) {
        StackHeadroom.require("m.save()");
        byte[] b = h.state().snapshot();
        try {
            fileWriter.write(path, b);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("m.save: cannot write " + path + ": no such directory");
        } catch (SecurityException e) {
            throw new IllegalArgumentException("m.save: " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("m.save: cannot write " + path + ": " + ioReason(e));
        }
        return b.length;
    }

    /** {@code pseries.load(path)}: the bytes of a snapshot file, read under the script's read rules. */
    @HostAccess.Export
    public byte[] readSnapshot(String path) {
        try {
            return fileReader.read(path);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("pseries.load: no such file: " + path);
        } catch (SecurityException e) {
            throw new IllegalArgumentException("pseries.load: " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("pseries.load: cannot read " + path + ": " + ioReason(e));
        }
    }

    private static String ioReason(java.io.IOException e) {
        return e.getMessage() != null ? e.getMessage() : "input/output error";
    }

    /**
     * For a caught value that is a Java exception, {type, message, cause} of the JS error the
     * script must see instead ({@link HostErrors}); null for any other value.
     */
    @HostAccess.Export
    public Object[] convertError(Value e) {
        Throwable t = HostErrors.hostThrowable(e);
        if (t == null) {
            return null;
        }
        String[] d = HostErrors.describe(t);
        return new Object[] {d[0], d[1], new HostErrors.Cause(t)};
    }

    /** What a guest's RTAS argument buffer may declare, for inputs and for outputs (Machine's KVMPPC_H_RTAS check). */
    @HostAccess.Export
    public int maxRtasWords() {
        return MAX_RTAS_WORDS;
    }

    /** The largest trace ring m.recordEvents may ask for. */
    @HostAccess.Export
    public int maxRecordedEvents() {
        return MAX_RECORDED_EVENTS;
    }

    /**
     * {@code pseries.layout(options)}: one combination of the layout laboratory
     * ({@link io.pseries.script.layout.LayoutExperiment}) as plain data.
     */
    @HostAccess.Export
    public String layout(Value options) {
        Object o = Values.toJava(options, "pseries.layout options");
        @SuppressWarnings("unchecked")
        Map<String, ?> map = (Map<String, ?>) o;
        return Json.write(io.pseries.script.layout.LayoutExperiment.fromOptions(map));
    }

    /** The configuration a snapshot was taken with, as {@code pseries.machine()} options in JSON. */
    @HostAccess.Export
    public String snapshotConfig(Value buffer) {
        return ConfigSection.configJson(Values.bytes(buffer, "pseries.restore"));
    }

    /**
     * A new machine of exactly the snapshot's configuration (machine defaults do not apply: the
     * stream says what the machine was), with the snapshot restored into it.
     */
    @HostAccess.Export
    public MachineHost restoreMachine(Value options, Value buffer) {
        StackHeadroom.require("pseries.restore()");
        byte[] b = Values.bytes(buffer, "pseries.restore");
        @SuppressWarnings("unchecked")
        Map<String, ?> map = (Map<String, ?>) Values.toJava(options, "snapshot configuration");
        Machine m = Machine.create(MachineConfig.fromMap(map));
        if (onCreate != null) {
            onCreate.accept(m);
        }
        m.restore(b);
        MachineHost h = new MachineHost(m, nesting);
        h.cpuHost().setFileReader(fileReader);
        return h;
    }

    /**
     * {@code pseries.migrate(src, { dst, kernelIrqchip })}: the source stopped and streamed, the
     * stream loaded into {@code dst} or into a new machine of the stream's configuration
     * ({@code kernelIrqchip} replacing the source's when given), which then runs. Returns the
     * destination; the source stays stopped.
     */
    @HostAccess.Export
    public MachineHost migrate(MachineHost src, MachineHost dst, String kernelIrqchip) {
        StackHeadroom.require("pseries.migrate()");
        io.pseries.core.snapshot.Migration.Result r = io.pseries.core.snapshot.Migration.migrate(src.machine(), cfg -> {
            if (dst != null) {
                return dst.machine();
            }
            Machine m = Machine.create(kernelIrqchip == null ? cfg : cfg.withKernelIrqchip(kernelIrqchip));
            if (onCreate != null) {
                onCreate.accept(m);
            }
            return m;
        });
        if (dst != null) {
            return dst;
        }
        MachineHost h = new MachineHost(r.destination(), nesting);
        h.cpuHost().setFileReader(fileReader);
        return h;
    }

    @HostAccess.Export
    public String version() {
        return version;
    }

    @HostAccess.Export
    public String icModes() {
        return Json.write(Machine.availableIcModes());
    }

    @HostAccess.Export
    public boolean optimized() {
        return optimized;
    }

    @HostAccess.Export
    public String args() {
        return Json.write(args);
    }

    @HostAccess.Export
    public boolean pluginApplies(int i, MachineHost h) {
        return plugins.get(i).appliesTo(h.machine());
    }

    @HostAccess.Export
    public Object pluginHost(int i, MachineHost h) {
        return plugins.get(i).hostFor(h.machine());
    }
}
