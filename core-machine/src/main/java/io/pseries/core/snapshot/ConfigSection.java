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
 * stream); {@link #configJson} gives the configuration back as the options object
 * {@code pseries.machine()} takes, to create a matching machine.
 *
 * <p>Version 2 added the rest of the simulated host's options ({@code xicsOnXive},
 * {@code pageSize}, {@code memSlots}, {@code maxMapCount}, {@code esbMapping}) and the platform
 * options ({@code dtcClean}, {@code xVof}, {@code esbLoads}); a version 1 stream was taken from a
 * machine that had their defaults, which is what it is upgraded to.
 */
public final class ConfigSection implements SnapshotSection {
    public static final String NAME = "config";
    private static final Schema SCHEMA = Schema.of("cpus", FieldType.U32, "threads", FieldType.U32,
        "vsmt", FieldType.U32, "icMode", FieldType.STRING, "kernelIrqchip", FieldType.STRING,
        "memory", FieldType.I64, "seed", FieldType.I64, "hostXive", FieldType.BOOL, "nrIrqs", FieldType.U32, "devices", FieldType.STRING,
        "xicsOnXive", FieldType.BOOL, "pageSize", FieldType.U32, "memSlots", FieldType.U32,
        "maxMapCount", FieldType.U32, "esbMapping", FieldType.STRING,
        "dtcClean", FieldType.BOOL, "xVof", FieldType.BOOL, "esbLoads", FieldType.STRING);

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
        return 2;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        w.u32("cpus", config.cpus()).u32("threads", config.threads()).u32("vsmt", config.vsmt())
            .string("icMode", config.icMode()).string("kernelIrqchip", config.kernelIrqchip())
            .i64("memory", config.memory()).i64("seed", config.seed()).bool("hostXive", config.host().xive())
            .u32("nrIrqs", config.nrIrqs())
            .string("devices", devicesJson(config))
            .bool("xicsOnXive", config.host().xicsOnXive()).u32("pageSize", 1 << config.host().pageShift())
            .u32("memSlots", config.host().userMemSlots()).u32("maxMapCount", config.host().maxMapCount())
            .string("esbMapping", config.host().esbMapping())
            .bool("dtcClean", config.platform().dtcClean()).bool("xVof", config.platform().xVof())
            .string("esbLoads", config.platform().esbLoads());
    }

    /** The version-2 fields of a stream, a version-1 stream's upgraded to the defaults its machine had. */
    private static Map<String, Object> v2Fields(SectionReader r) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.version() == 1) {
            HostConfig h = HostConfig.POWER9;
            MachineConfig.Platform p = MachineConfig.Platform.DEFAULT;
            m.put("xicsOnXive", h.xicsOnXive());
            m.put("pageSize", 1 << h.pageShift());
            m.put("memSlots", h.userMemSlots());
            m.put("maxMapCount", h.maxMapCount());
            m.put("esbMapping", h.esbMapping());
            m.put("dtcClean", p.dtcClean());
            m.put("xVof", p.xVof());
            m.put("esbLoads", p.esbLoads());
        } else {
            m.put("xicsOnXive", r.bool("xicsOnXive"));
            m.put("pageSize", r.u32("pageSize"));
            m.put("memSlots", r.u32("memSlots"));
            m.put("maxMapCount", r.u32("maxMapCount"));
            m.put("esbMapping", r.string("esbMapping"));
            m.put("dtcClean", r.bool("dtcClean"));
            m.put("xVof", r.bool("xVof"));
            m.put("esbLoads", r.string("esbLoads"));
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
        differs(r, "kernelIrqchip", r.string("kernelIrqchip"), config.kernelIrqchip());
        differs(r, "memory", r.i64("memory"), config.memory());
        differs(r, "seed", r.i64("seed"), config.seed());
        differs(r, "host.xive", r.bool("hostXive"), config.host().xive());
        differs(r, "nrIrqs", r.u32("nrIrqs"), config.nrIrqs());
        differs(r, "devices", r.string("devices"), devicesJson(config));
        Map<String, Object> v2 = v2Fields(r);
        differs(r, "host.xicsOnXive", v2.get("xicsOnXive"), config.host().xicsOnXive());
        differs(r, "host.pageSize", v2.get("pageSize"), 1 << config.host().pageShift());
        differs(r, "host.memSlots", v2.get("memSlots"), config.host().userMemSlots());
        differs(r, "host.maxMapCount", v2.get("maxMapCount"), config.host().maxMapCount());
        differs(r, "host.esbMapping", v2.get("esbMapping"), config.host().esbMapping());
        differs(r, "dtcClean", v2.get("dtcClean"), config.platform().dtcClean());
        differs(r, "xVof", v2.get("xVof"), config.platform().xVof());
        differs(r, "esbLoads", v2.get("esbLoads"), config.platform().esbLoads());
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
        SectionReader r = SectionReader.decode(NAME, raw.version(), raw.body());
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
        for (String k : List.of("xicsOnXive", "pageSize", "memSlots", "maxMapCount", "esbMapping")) {
            host.put(k, v2.get(k));
        }
        m.put("host", host);
        m.put("nrIrqs", r.u32("nrIrqs"));
        for (String k : List.of("dtcClean", "xVof", "esbLoads")) {
            m.put(k, v2.get(k));
        }
        String head = Json.write(m);
        return head.substring(0, head.length() - 1) + ",\"devices\":" + r.string("devices") + "}";
    }
}
