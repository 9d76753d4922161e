package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.snapshot.VmstateSchema;
import io.pseries.script.cli.Main;

/**
 * The checked-in schema of the first snapshot version (docs/vmstate/v1.json) still loads with the
 * current code, so a change that breaks old streams fails the build; the checker catches each kind
 * of breaking change; the {@code vmstate} and {@code snapshot info} commands work end to end.
 */
class VmstateSchemaTest {
    private static final Path V1 = Path.of("..", "docs", "vmstate", "v1.json");
    private static final Path CURRENT = Path.of("..", "docs", "vmstate", "current.json");

    private static Map<String, Object> v1;

    private static synchronized Map<String, Object> v1() throws IOException {
        if (v1 == null) {
            v1 = parse(Files.readString(V1));
        }
        return v1;
    }

    /** A mutable deep copy of the current schema. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> currentCopy() {
        return (Map<String, Object>) copy(VmstateSchema.current());
    }

    @SuppressWarnings("unchecked")
    private static Object copy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put((String) k, copy(v)));
            return c;
        }
        return o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String json) {
        try {
            java.lang.reflect.Method m = Class.forName("io.pseries.script.cli.VmstateCommand").getDeclaredMethod("parse", String.class);
            m.setAccessible(true);
            return (Map<String, Object>) m.invoke(null, json);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static int[] run(StringWriter out, StringWriter err, String... args) {
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new int[] {rc};
    }

    @Test
    void streamsOfTheCheckedInVersion1SchemaStillLoad() throws IOException {
        assertEquals(List.of(), VmstateSchema.check(VmstateSchema.current(), v1()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> schema, String name) {
        return (Map<String, Object>) ((Map<String, Object>) schema.get("sections")).get(name);
    }

    @Test
    void aFieldChangedWithoutAVersionBumpBreaksOldStreams() throws IOException {
        Map<String, Object> now = currentCopy();
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) section(now, "xics/icp/N").get("fields");
        fields.put("mfrr", "u32");
        List<String> p = VmstateSchema.check(now, v1());
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("xics/icp/N: fields changed at the same version 1"), p.get(0));
    }

    @Test
    void aVersionBumpWithTheOldVersionStillLoadableIsFine() throws IOException {
        Map<String, Object> now = currentCopy();
        Map<String, Object> icp = section(now, "xics/icp/N");
        icp.put("version", 2);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) icp.get("fields");
        fields.put("mfrr", "u32");
        assertEquals(List.of(), VmstateSchema.check(now, v1()));
        icp.put("minVersion", 2);
        List<String> p = VmstateSchema.check(now, v1());
        assertEquals(List.of("xics/icp/N: old streams are at version 1, this version loads from 2"), p);
    }

    @Test
    void removedAndAddedSectionsBreakOldStreams() throws IOException {
        Map<String, Object> now = currentCopy();
        @SuppressWarnings("unchecked")
        Map<String, Object> sections = (Map<String, Object>) now.get("sections");
        sections.remove("ram");
        sections.put("host/kvm-xive", new LinkedHashMap<>(Map.of("version", 1, "minVersion", 1, "fields", Map.of())));
        List<String> p = VmstateSchema.check(now, v1());
        assertEquals(List.of("ram: section removed; old streams carry it and are refused as foreign",
            "host/kvm-xive: new section; streams of the old schema lack it and are refused as foreign"), p);
    }

    @Test
    void theVmstateCommandDumpsAndChecks() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "vmstate", "--dump")[0], err.toString());
        assertEquals(VmstateSchema.check(VmstateSchema.current(), parse(out.toString())), List.of());
        assertEquals(Files.readString(CURRENT).strip(), out.toString().strip(),
            "the dump of this version is docs/vmstate/current.json (a schema change updates it, and bumps the section's version)");

        StringWriter out2 = new StringWriter();
        assertEquals(0, run(out2, new StringWriter(), "vmstate", "--check", V1.toString())[0]);
        assertTrue(out2.toString().contains("load with this version"), out2.toString());
    }

    @Test
    void theCheckCommandFailsOnABrokenSchemaNamingTheSection(@TempDir Path dir) throws IOException {
        Path old = dir.resolve("old.json");
        Files.writeString(old, Files.readString(V1).replace("\"mfrr\":\"u8\"", "\"mfrr\":\"u32\""));
        StringWriter err = new StringWriter();
        assertEquals(1, run(new StringWriter(), err, "vmstate", "--check", old.toString())[0]);
        assertTrue(err.toString().contains("xics/icp/N: fields changed at the same version 1"), err.toString());
        StringWriter err2 = new StringWriter();
        assertEquals(1, run(new StringWriter(), err2, "vmstate", "--check", dir.resolve("none.json").toString())[0]);
        assertTrue(err2.toString().contains("no such file"), err2.toString());
    }

    @Test
    void snapshotInfoListsTheSections(@TempDir Path dir) throws IOException {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("dual").build());
        Path f = dir.resolve("m.snap");
        Files.write(f, m.snapshot());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "snapshot", "info", f.toString())[0], err.toString());
        String s = out.toString();
        assertTrue(s.contains("\"cpus\":2") && s.contains("\"icMode\":\"dual\""), s);
        assertTrue(s.matches("(?s).*xics/icp/1 +1 +1 +\\d+.*"), s);
        assertTrue(s.matches("(?s).*xive/tctx/1 +1 +1 +\\d+.*"), s);

        byte[] bad = Files.readAllBytes(f);
        bad[bad.length - 1] ^= 1;
        Files.write(f, bad);
        StringWriter err2 = new StringWriter();
        assertEquals(1, run(new StringWriter(), err2, "snapshot", "info", f.toString())[0]);
        assertTrue(err2.toString().contains("checksum mismatch"), err2.toString());
    }
}
