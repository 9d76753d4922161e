package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.pseries.core.MachineConfig;
import io.pseries.core.util.Json;

/**
 * The first section of every stream: the configuration of the machine it was taken from. A
 * stream restores only into a machine of the same configuration (anything else is a foreign
 * stream); {@link #configJson} gives the configuration back as the options object
 * {@code pseries.machine()} takes, to create a matching machine.
 */
public final class ConfigSection implements SnapshotSection {
    public static final String NAME = "config";
    private static final Schema SCHEMA = Schema.of("cpus", FieldType.U32, "threads", FieldType.U32,
        "vsmt", FieldType.U32, "icMode", FieldType.STRING, "kernelIrqchip", FieldType.STRING,
        "memory", FieldType.I64, "seed", FieldType.I64, "hostXive", FieldType.BOOL, "nrIrqs", FieldType.U32, "devices", FieldType.STRING);

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
        return 1;
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
            .string("devices", devicesJson(config));
    }

    /** The devices in a canonical form (option keys sorted), so equal configurations compare equal. */
    static String devicesJson(MachineConfig c) {
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
        m.put("host", Map.of("xive", r.bool("hostXive")));
        m.put("nrIrqs", r.u32("nrIrqs"));
        String head = Json.write(m);
        return head.substring(0, head.length() - 1) + ",\"devices\":" + r.string("devices") + "}";
    }
}
