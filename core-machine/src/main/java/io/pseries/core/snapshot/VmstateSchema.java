package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;

/**
 * The schema of every kind of section, as {@code ./pseries vmstate --dump} prints it and
 * {@code --check OLD.json} compares it (in the spirit of QEMU's {@code -dump-vmstate} and its
 * static checker). Instances of a kind ({@code cpu/0}, {@code cpu/1}...) are one entry
 * ({@code cpu/N}; a PCI function's, named by its id, {@code pci/ID}). The reference machine is
 * dual-mode with two vCPUs and a virtio-net-pci function, so both controllers' sections and the
 * PCI ones appear; a second one, with {@code experimental: ['ocapi-rfc-2019']} and an OpenCAPI
 * function passed through, gives {@code ocapi/ID}. {@code host/physical} and {@code host/vm/N} are the sections of
 * a host-group stream ({@link HostGroupSnapshot}), not of a machine's.
 *
 * <pre>
 *  { "format": 1, "sections": { "cpu/N": { "version": 1, "minVersion": 1, "fields": { "running": "bool", ... } }, ... } }
 * </pre>
 *
 * A section marked {@code "optional": true} may be missing from a stream (it came later; its
 * loader stands in for it), so adding one does not break older streams.
 *
 * <p>Stateless; any thread (it creates its own machine).
 */
public final class VmstateSchema {
    private VmstateSchema() {
    }

    /** The current schema (needs both controller plugins on the class path). */
    public static Map<String, Object> current() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("dual")
            .device("virtio-net-pci", Map.of("id", "net0")).build());
        Map<String, Object> sections = new LinkedHashMap<>();
        MachineSnapshot.schema(m).forEach((name, s) -> sections.putIfAbsent(kind(name), s));
        // the OpenCAPI RFC's sections: a machine with it and an AFU function passed through
        io.pseries.core.host.pt.PhysicalHost afuHost = io.pseries.core.host.pt.PhysicalHost.of(
            io.pseries.core.host.HostConfig.POWER9, List.of(Map.of("addr", "0000:03:00.0", "msix", 0, "intx", false,
                "ocapi", Map.of("irqs", 8))));
        Machine ocapi = Machine.create(MachineConfig.builder().cpus(1).icMode("xive")
            .experimental(List.of("ocapi-rfc-2019")).device("vfio-pci", Map.of("host", "0000:03:00.0")).build(), afuHost);
        MachineSnapshot.schema(ocapi).forEach((name, s) -> {
            if (name.startsWith(OcapiSections.Function.PREFIX)) {
                sections.putIfAbsent(kind(name), s);
            }
        });
                // the host stream of a host-group checkpoint (HostGroupSnapshot): its own section kind
        MachineSnapshot.schema(HostGroupSnapshot.referenceSections()).forEach((name, s) -> sections.putIfAbsent(kind(name), s));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", SnapshotStream.FORMAT_VERSION);
        out.put("sections", sections);
        return out;
    }

    /** The kind of a section: {@code cpu/N}, {@code pci/phb/N}, {@code pci/ID} for each PCI function by its id. */
    static String kind(String name) {
        if (name.startsWith("pci/") && !name.startsWith("pci/phb/")) {
            return "pci/ID";
        }
        if (name.startsWith(OcapiSections.Function.PREFIX)) {
            return "ocapi/ID";
        }
        return name.replaceAll("/[0-9]+$", "/N");
    }

    /**
     * Whether streams written with schema {@code old} still load with schema {@code current}:
     * the problems found, empty when they do. {@code old} is plain data parsed from JSON
     * (numbers may be Integer, Long or Double).
     */
    @SuppressWarnings("unchecked")
    public static List<String> check(Map<String, Object> current, Map<String, Object> old) {
        List<String> problems = new ArrayList<>();
        int oldFormat = num(old.get("format"));
        if (oldFormat > num(current.get("format"))) {
            problems.add("format " + oldFormat + " is newer than this version's " + current.get("format"));
        }
        Map<String, Object> cur = (Map<String, Object>) current.get("sections");
        Map<String, Object> was = (Map<String, Object>) old.get("sections");
        if (was == null) {
            problems.add("the old schema has no 'sections'");
            return problems;
        }
        for (Map.Entry<String, Object> e : was.entrySet()) {
            String name = e.getKey();
            Map<String, Object> o = (Map<String, Object>) e.getValue();
            Map<String, Object> c = (Map<String, Object>) cur.get(name);
            int ov = num(o.get("version"));
            if (c == null) {
                problems.add(name + ": section removed; old streams carry it and are refused as foreign");
                continue;
            }
            int cv = num(c.get("version"));
            int cmin = num(c.get("minVersion"));
            if (ov < cmin) {
                problems.add(name + ": old streams are at version " + ov + ", this version loads from " + cmin);
            } else if (ov > cv) {
                problems.add(name + ": the old schema is at version " + ov + ", newer than this version's " + cv);
            } else if (ov == cv && !o.get("fields").equals(c.get("fields"))) {
                problems.add(name + ": fields changed at the same version " + cv + " (was " + o.get("fields")
                    + ", now " + c.get("fields") + "); bump the version and upgrade version " + ov + " streams in load()");
            }
        }
        for (Map.Entry<String, Object> e : cur.entrySet()) {
            String name = e.getKey();
            if (!was.containsKey(name) && !Boolean.TRUE.equals(((Map<String, Object>) e.getValue()).get("optional"))) {
                problems.add(name + ": new section; streams of the old schema lack it and are refused as foreign");
            }
        }
        return problems;
    }

    private static int num(Object o) {
        return o == null ? 0 : ((Number) o).intValue();
    }
}
