package io.pseries.script.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.pseries.core.snapshot.ConfigSection;
import io.pseries.core.snapshot.MachineSnapshot;
import io.pseries.core.snapshot.SnapshotException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pseries snapshot info FILE}: the sections of a snapshot stream, their versions and sizes. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = {"Inspect a snapshot written from m.snapshot().",
        "Examples:",
        "  pseries snapshot info machine.snap"})
final class SnapshotCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ACTION", description = "info: list the configuration and every section")
    String action;

    @Parameters(index = "1", paramLabel = "FILE", description = "the snapshot file")
    Path file;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!"info".equals(action)) {
            err.println("pseries snapshot: unknown action '" + action + "'; actions: info");
            return CommandLine.ExitCode.USAGE;
        }
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            err.println("pseries snapshot: no such file: " + file);
            return 1;
        } catch (IOException e) {
            err.println("pseries snapshot: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        try {
            List<Map<String, Object>> sections = MachineSnapshot.info(b);
            out.println("configuration: " + ConfigSection.configJson(b));
            out.printf("%-24s %8s %8s %10s%n", "section", "version", "min", "bytes");
            long total = 0;
            for (Map<String, Object> s : sections) {
                out.printf("%-24s %8d %8d %10d%n", s.get("name"), s.get("version"), s.get("minVersion"), s.get("bytes"));
                total += ((Number) s.get("bytes")).longValue();
            }
            out.println(sections.size() + " sections, " + b.length + " bytes (" + total + " in sections)");
            return 0;
        } catch (SnapshotException e) {
            err.println("pseries snapshot: " + file + ": " + e.getMessage());
            return 1;
        }
    }
}
