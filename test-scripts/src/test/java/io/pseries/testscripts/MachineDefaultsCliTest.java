package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pseries.script.cli.Main;

/** {@code --machine-default}: what every machine of a run starts from, with the plugins present. */
class MachineDefaultsCliTest {
    @TempDir
    Path dir;

    @Test
    void machineDefault_isWhatMachinesStartFrom_unlessTheScriptGivesTheOption() throws IOException {
        Path p = dir.resolve("d.js");
        Files.writeString(p, "console.log(pseries.machine().config.kernelIrqchip, pseries.machine({ kernelIrqchip: 'off' })"
            + ".config.kernelIrqchip, pseries.machine().config.cpus);\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute("run", "--machine-default", "kernelIrqchip=allowed", "--machine-default", "cpus=3", p.toString());
        assertEquals(0, code, err.toString());
        assertEquals("allowed off 3\n", out.toString());
    }
}
