package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.pseries.core.MachineConfig;
import io.pseries.core.host.HostConfig;
import io.pseries.core.util.Json;

/**
 * The first section of every stream: the configuration of the machine it was taken from. A
 * stream restores only into a machine of the same configuration (anything else is a foreign
 * stream), except for {@code kernelIrqchip}: the controllers' state is the same whether the VMM
 * or the kernel served them, so a stream moves between the two; {@link #configJson} gives the configuration back as the options object
 * {@code pseries.machine()} takes, to create a matching machine.
 *
 * <p>Version 2 added the rest of the simulated host's options ({@code xicsOnXive},
 * {@code pageSize}, {@code memSlots}, {@code maxMapCount}, {@code esbMapping}) and the platform
 * options ({@code dtcClean}, {@code xVof}, {@code esbLoads}); a version 1 stream was taken from a
 * machine that had their defaults, which is what it is upgraded to.
 *
 * <p>Version 3 added {@code experimental} (the proposals enabled, comma-separated, "" none): a
 * machine with {@code ocapi-rfc-2019} is snapshotted since its AFU irqs have sections
 * ({@code ocapi/ID}, {@link OcapiSections}). Older versions refused any experimental option at
 * save, so their streams are upgraded to none.
 */
public final class ConfigSection implements SnapshotSection {
    public static final String NAME = "config";
    private static final Schema SCHEMA = Schema.of("cpus", FieldType.U32, "threads", FieldType.U32,
        "vsmt", FieldType.U32, "icMode", FieldType.STRING, "kernelIrqchip", FieldType.STRING,
        "memory", FieldType.I64, "seed", FieldType.I64, "hostXive", FieldType.BOOL, "nrIrqs", FieldType.U32, "devices", FieldType.STRING,
        "xicsOnXive", FieldType.BOOL, "pageSize", FieldType.U32, "memSlots", FieldType.U32,
        "maxMapCount", FieldType.U32, "esbMapping", FieldType.STRING,
        "dtcClean", FieldType.BOOL, "xVof", FieldType.BOOL, "esbLoads", FieldType.STRING,
        "experimental", FieldType.STRING);
    /** The proposals whose state the stream's sections describe (every one: {@link MachineConfig#EXPERIMENTAL}). */
    private static final List<String> DESCRIBED = List.of("ocapi-rfc-2019");

    private final MachineConfig config;

    public ConfigSection(MachineConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 3;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        List<String> undescribed = new ArrayList<>(config.platform().experimental());
        undescribed.removeAll(DESCRIBED);
        if (!undescribed.isEmpty()) {
            throw new SnapshotException(NAME, "the machine enables experimental '"
                + String.join("', '", undescribed) + "', whose state no section describes");
        }
        w.u32("cpus", config.cpus()).u32("threads", config.threads()).u32("vsmt", config.vsmt())
            .string("icMode", config.icMode()).string("kernelIrqchip", config.kernelIrqchip())
            .i64("memory", config.memory()).i64("seed", config.seed()).bool("hostXive", config.host().xive())
            .u32("nrIrqs", config.nrIrqs())
            .string("devices", devicesJson(config));
        for (Map.Entry<String, Object> e : v2Of(config.host(), config.platform()).entrySet()) {
            switch (e.getValue()) {
                case Boolean b -> w.bool(e.getKey(), b);
                case Integer i -> w.u32(e.getKey(), i);
                default -> w.string(e.getKey(), (String) e.getValue());
            }
        }
        w.string("experimental", String.join(",", config.platform().experimental()));
    }

    /** The stream's experimental proposals: none before version 3 (those saves refused any). */
    private static List<String> experimental(SectionReader r) {
        if (r.version() < 3) {
            return List.of();
        }
        String s = r.string("experimental");
        List<String> l = s.isEmpty() ? List.of() : List.of(s.split(",", -1));
        for (String n : l) {
            if (!MachineConfig.EXPERIMENTAL.contains(n)) {
                throw r.refuse("field 'experimental' names '" + n + "', not a proposal ("
                    + String.join(", ", MachineConfig.EXPERIMENTAL) + ")");
            }
        }
        return l;
    }

    /** The host options version 2 added (a stream names them host.NAME), the rest are platform options. */
    private static final List<String> V2_HOST = List.of("xicsOnXive", "pageSize", "memSlots", "maxMapCount", "esbMapping");

    /** The version-2 fields of a machine with these host and platform options, in stream order. */
    private static Map<String, Object> v2Of(HostConfig h, MachineConfig.Platform p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("xicsOnXive", h.xicsOnXive());
        m.put("pageSize", 1 << h.pageShift());
        m.put("memSlots", h.userMemSlots());
        m.put("maxMapCount", h.maxMapCount());
        m.put("esbMapping", h.esbMapping());
        m.put("dtcClean", p.dtcClean());
        m.put("xVof", p.xVof());
        m.put("esbLoads", p.esbLoads());
        return m;
    }

    /** The version-2 fields of a stream; a version-1 stream's are the defaults its machine had. */
    private static Map<String, Object> v2Fields(SectionReader r) {
        Map<String, Object> m = v2Of(HostConfig.POWER9, MachineConfig.Platform.DEFAULT);
        if (r.version() > 1) {
            m.replaceAll((k, dflt) -> switch (dflt) {
                case Boolean b -> r.bool(k);
                case Integer i -> r.u32(k);
                default -> r.string(k);
            });
        }
        return m;
    }

    /** The devices in a canonical form (option keys sorted), so equal configurations compare equal. */
    public static String devicesJson(MachineConfig c) {
        List<Object> l = new ArrayList<>();
        for (MachineConfig.DeviceConfig d : c.devices()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", d.type());
            m.putAll(new TreeMap<>(d.options()));
            l.add(m);
        }
        return Json.write(l);
    }

    @Override
    public Runnable load(SectionReader r) {
        differs(r, "cpus", r.u32("cpus"), config.cpus());
        differs(r, "threads", r.u32("threads"), config.threads());
        differs(r, "vsmt", r.u32("vsmt"), config.vsmt());
        differs(r, "icMode", r.string("icMode"), config.icMode());
        // kernelIrqchip is where the controllers run, not what they hold: a stream of either
        // loads into either (a migration between 'on' and 'off'); checked as a value only
        String kic = r.string("kernelIrqchip");
        if (!java.util.List.of("off", "on", "allowed").contains(kic)) {
            throw r.refuse("field 'kernelIrqchip' is " + show(kic) + ", not 'off', 'on' or 'allowed'");
        }
        differs(r, "memory", r.i64("memory"), config.memory());
        differs(r, "seed", r.i64("seed"), config.seed());
        differs(r, "host.xive", r.bool("hostXive"), config.host().xive());
        differs(r, "nrIrqs", r.u32("nrIrqs"), config.nrIrqs());
        differs(r, "devices", r.string("devices"), devicesJson(config));
        Map<String, Object> v2 = v2Fields(r);
        for (Map.Entry<String, Object> e : v2Of(config.host(), config.platform()).entrySet()) {
            String k = e.getKey();
            differs(r, (V2_HOST.contains(k) ? "host." : "") + k, v2.get(k), e.getValue());
        }
        differs(r, "experimental", String.join(",", experimental(r)), String.join(",", config.platform().experimental()));
        return () -> { };
    }

    private static void differs(SectionReader r, String what, Object stream, Object mine) {
        if (!stream.equals(mine)) {
            throw r.refuse("foreign stream: it was taken from a machine with " + what + " " + show(stream)
                + ", this machine has " + show(mine));
        }
    }

    private static String show(Object o) {
        return o instanceof String s ? "'" + s + "'" : String.valueOf(o);
    }

    /** The stream's configuration as a {@code pseries.machine()} options object, in JSON. */
    public static String configJson(byte[] stream) {
        SnapshotStream.RawSection raw = SnapshotStream.parse(stream).get(0);
        SectionReader r = raw.decode(null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", r.u32("cpus"));
        m.put("threads", r.u32("threads"));
        m.put("vsmt", r.u32("vsmt"));
        m.put("icMode", r.string("icMode"));
        m.put("kernelIrqchip", r.string("kernelIrqchip"));
        m.put("memory", r.i64("memory"));
        m.put("seed", r.i64("seed"));
        Map<String, Object> v2 = v2Fields(r);
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("xive", r.bool("hostXive"));
        m.put("host", host);
        m.put("nrIrqs", r.u32("nrIrqs"));
        v2.forEach((k, v) -> (V2_HOST.contains(k) ? host : m).put(k, v));
        List<String> exp = experimental(r);
        if (!exp.isEmpty()) {
            m.put("experimental", exp);
        }
        String head = Json.write(m);
        return head.substring(0, head.length() - 1) + ",\"devices\":" + r.string("devices") + "}";
    }
}
