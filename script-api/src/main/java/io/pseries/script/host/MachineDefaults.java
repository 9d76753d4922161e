package io.pseries.script.host;

import java.util.LinkedHashMap;
import java.util.Map;

import io.pseries.core.MachineConfig;

/**
 * Machine options that every {@code pseries.machine(options)} of a run starts from: a key the
 * script gives wins, a key it leaves out takes the default (nested objects such as {@code host}
 * merge key by key). This is how a whole suite, every example script or a REPL session runs
 * with, say, {@code kernelIrqchip: 'on'} as the machine default without editing any script.
 *
 * <p>Written as {@code KEY=VALUE} pairs separated by commas, a dotted key naming a nested
 * option: {@code kernelIrqchip=on,host.xive=false,cpus=2}. A value is a boolean for
 * {@code true}/{@code false}, an integer for decimal or {@code 0x} hex digits, a string
 * otherwise. The sources, first found wins: the CLI's {@code --machine-default}, the JUnit
 * engine's configuration parameter {@value #CONFIG_KEY}, the system property of that name (so
 * {@code mvn -Dpseries.test.machineDefaults=kernelIrqchip=on verify} reaches every script engine
 * of the test JVMs), the environment variable {@value #ENV}.
 *
 * <p>Immutable; any thread.
 */
public final class MachineDefaults {
    /** The environment variable. */
    public static final String ENV = "PSERIES_MACHINE_DEFAULTS";
    /** The JUnit engine's configuration parameter (also read as a system property). */
    public static final String CONFIG_KEY = "pseries.test.machineDefaults";
    public static final MachineDefaults NONE = new MachineDefaults(Map.of(), "");

    private final Map<String, Object> options;
    private final String text;

    private MachineDefaults(Map<String, Object> options, String text) {
        this.options = options;
        this.text = text;
    }

    /**
     * Parses {@code KEY=VALUE,...}; {@code where} names the source in errors. Every default must
     * be a valid machine option on its own (checked here, so a typo fails before any script runs).
     */
    public static MachineDefaults parse(String text, String where) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            String p = pair.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new IllegalArgumentException("bad machine default '" + p + "' in " + where
                    + ": expected KEY=VALUE, e.g. kernelIrqchip=on");
            }
            put(m, p.substring(0, eq).trim().split("\\."), 0, value(p.substring(eq + 1).trim()));
        }
        try {
            MachineConfig.fromMap(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad machine default in " + where + ": " + e.getMessage(), e);
        }
        return new MachineDefaults(m, text.trim());
    }

    /** From the system property {@value #CONFIG_KEY}, else the environment variable {@value #ENV}, else none. */
    public static MachineDefaults fromEnvironment() {
        String p = System.getProperty(CONFIG_KEY);
        if (p != null) {
            return parse(p, "the system property " + CONFIG_KEY);
        }
        return parse(System.getenv(ENV), "the environment variable " + ENV);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> m, String[] path, int i, Object v) {
        if (i == path.length - 1) {
            m.put(path[i], v);
            return;
        }
        Object o = m.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException("bad machine default: '" + path[i] + "' is given both as a value and as an object");
        }
        put((Map<String, Object>) o, path, i + 1, v);
    }

    private static Object value(String s) {
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseLong(s.substring(2), 16);
            }
            if (s.matches("-?\\d+")) {
                return Long.parseLong(s);
            }
        } catch (NumberFormatException e) {
            // too long for a long: keep it as a string, the option check names it
        }
        return s;
    }

    public boolean isEmpty() {
        return options.isEmpty();
    }

    /** The defaults as given ({@code kernelIrqchip=on}), for reports. */
    @Override
    public String toString() {
        return text;
    }

    /** {@code options} over the defaults: the script's keys win, nested objects merge. */
    public Map<String, Object> apply(Map<String, ?> given) {
        return merge(options, given);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, ?> over) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        for (Map.Entry<String, ?> e : over.entrySet()) {
            Object b = out.get(e.getKey());
            if (e.getValue() == null) {
                continue; // { kernelIrqchip: undefined } gives nothing
            }
            if (b instanceof Map<?, ?> bm && e.getValue() instanceof Map<?, ?> om) {
                out.put(e.getKey(), merge((Map<String, Object>) bm, (Map<String, ?>) om));
            } else {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
