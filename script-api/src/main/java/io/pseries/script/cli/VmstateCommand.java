package io.pseries.script.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import io.pseries.core.snapshot.VmstateSchema;
import io.pseries.core.util.Json;
import io.pseries.script.host.Values;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pseries vmstate}: the schema of every snapshot section ({@code --dump}), and whether
 * streams written with an older schema still load ({@code --check OLD.json}), like QEMU's
 * {@code -dump-vmstate} and its static checker.
 */
@Command(name = "vmstate", mixinStandardHelpOptions = true,
    description = {"The schema of the snapshot sections, and whether an older schema's streams still load.",
        "Examples:",
        "  pseries vmstate --dump > now.json",
        "  pseries vmstate --check docs/vmstate/v1.json"})
final class VmstateCommand implements Callable<Integer> {

    @Option(names = "--dump", description = "print the schema of every section as JSON")
    boolean dump;

    @Option(names = "--check", paramLabel = "OLD.json", description = "compare with a schema written by --dump; exit 1 if its streams no longer load")
    Path check;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (dump == (check != null)) {
            err.println("pseries vmstate: give exactly one of --dump or --check OLD.json");
            return CommandLine.ExitCode.USAGE;
        }
        Map<String, Object> current = VmstateSchema.current();
        if (dump) {
            out.println(pretty(current));
            return 0;
        }
        Map<String, Object> old;
        try {
            old = parse(Files.readString(check));
        } catch (NoSuchFileException e) {
            err.println("pseries vmstate: no such file: " + check);
            return 1;
        } catch (IOException e) {
            err.println("pseries vmstate: cannot read " + check + ": " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("pseries vmstate: " + check + ": " + e.getMessage());
            return 1;
        }
        List<String> problems = VmstateSchema.check(current, old);
        if (problems.isEmpty()) {
            out.println("streams written with " + check + " load with this version");
            return 0;
        }
        err.println("streams written with " + check + " no longer load:");
        problems.forEach(p -> err.println("  " + p));
        return 1;
    }

    /** The schema file as plain data (JSON read by the JS engine: the project has no JSON reader of its own). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text) {
        try (Context c = Context.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build()) {
            Value v = c.eval("js", "(s) => JSON.parse(s)").execute(text);
            if (!v.hasMembers() || v.hasArrayElements()) {
                throw new IllegalArgumentException("not a schema object (expected { format, sections })");
            }
            return (Map<String, Object>) Values.toJava(v, "schema");
        } catch (PolyglotException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
    }

    /** The schema as JSON, one section per line (stable, diff-friendly). */
    @SuppressWarnings("unchecked")
    static String pretty(Map<String, Object> schema) {
        StringBuilder sb = new StringBuilder("{\n  \"format\": ").append(schema.get("format")).append(",\n  \"sections\": {\n");
        Map<String, Object> sections = (Map<String, Object>) schema.get("sections");
        int i = 0;
        for (Map.Entry<String, Object> e : sections.entrySet()) {
            sb.append("    ").append(Json.write(e.getKey())).append(": ").append(Json.write(e.getValue()))
                .append(++i < sections.size() ? ",\n" : "\n");
        }
        return sb.append("  }\n}").toString();
    }
}
