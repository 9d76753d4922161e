package io.pseries.script.cli;

import java.util.ArrayList;
import java.util.List;

import io.pseries.script.ScriptEngine;
import io.pseries.script.host.MachineDefaults;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --machine-default KEY=VALUE} option of {@code run}, {@code test} and {@code repl}:
 * machine options every {@code pseries.machine()} starts from, so a whole suite can run with
 * {@code kernelIrqchip=on} unchanged (see {@link MachineDefaults}).
 */
final class MachineDefaultsOption {
    @Option(names = "--machine-default", paramLabel = "KEY=VALUE", split = ",",
        description = {"a machine option every pseries.machine() starts from unless the script gives it,",
            "e.g. kernelIrqchip=on or host.xive=false (repeatable or comma-separated; default: $"
                + MachineDefaults.ENV + ")"})
    List<String> pairs = new ArrayList<>();

    /**
     * A script engine with these defaults (or, without the option, those of the environment); a
     * bad pair, here or in the environment, is a usage error naming it.
     */
    ScriptEngine newEngine(CommandLine cmd) {
        MachineDefaults d;
        try {
            d = pairs.isEmpty() ? MachineDefaults.fromEnvironment()
                : MachineDefaults.parse(String.join(",", pairs), "--machine-default");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        return new ScriptEngine(d);
    }
}
