package io.pseries.script.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cpu.CpuThreads;
import io.pseries.core.isa.Cpu;
import io.pseries.core.isa.CpuObserver;
import io.pseries.core.isa.Vector;
import io.pseries.core.trace.TraceCategory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pseries boot FILE.elf}: runs a bare-metal payload on the interpreting vCPUs. */
@Command(name = "boot", mixinStandardHelpOptions = true,
    description = {"Boot a bare-metal ppc64 ELF payload as QEMU's pseries does with x-vof=on -kernel FILE:",
        "loaded at 0x400000, entered big-endian 32-bit with MSR = 0 on vCPU 0. The guest console",
        "(H_PUT_TERM_CHAR, RTAS display-character) goes to stdout as it is written.",
        "Exit code: 0 on RTAS power-off; 1 with the reason on stderr otherwise (timeout, every vCPU",
        "stopped, an illegal instruction with its address and word, a fatal CAS refusal); 2 for a usage error.",
        "",
        "Examples:",
        "  pseries boot payload.elf --ic-mode xive",
        "  pseries boot payload.elf --cpus 4 --timeout 2 --trace exception,hcall"})
final class BootCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE.elf", description = "the payload (64-bit PowerPC ELF, either byte order)")
    Path file;

    @Option(names = "--cpus", paramLabel = "N", description = "number of vCPUs (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int cpus;

    @Option(names = "--ic-mode", paramLabel = "MODE", description = "xics, xive or dual (default: ${DEFAULT-VALUE})", defaultValue = "dual")
    String icMode;

    @Option(names = "--memory", paramLabel = "SIZE", description = "guest RAM (default: ${DEFAULT-VALUE})", defaultValue = "1G")
    String memory;

    @Option(names = "--timeout", paramLabel = "S",
        description = "stop after S seconds of virtual time (default: ${DEFAULT-VALUE}); a vCPU runs "
            + CpuThreads.NS_PER_INSTRUCTION + " ns per instruction", defaultValue = "10")
    double timeout;

    @Option(names = "--trace", split = ",", paramLabel = "EVENT",
        description = "print these events to stderr: exception, instruction (every instruction: slow), or any"
            + " trace event of 'run --trace' (irq, hcall, rtas, mmio, cas, guest_error, ...)")
    List<String> trace = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (cpus < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cpus must be at least 1, got " + cpus);
        }
        if (!(timeout > 0) || timeout > 1e9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds, got " + timeout);
        }
        boolean exceptions = trace.remove("exception");
        boolean instructions = trace.remove("instruction");
        var cats = RunCommand.traceCategories(trace, spec);
        byte[] elf;
        try {
            elf = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            err.println("pseries boot: no such file: " + file);
            return 1;
        } catch (IOException e) {
            err.println("pseries boot: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("cpus", (long) cpus);
        cfg.put("icMode", icMode);
        cfg.put("memory", memory);
        cfg.put("devices", List.of(Map.of("type", "spapr-vty")));
        Machine m;
        try {
            m = Machine.create(MachineConfig.fromMap(cfg));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (TraceCategory c : cats) {
            m.trace().subscribe(c, ev -> err.println("[trace] " + ev));
        }
        if (exceptions || instructions) {
            for (int i = 0; i < cpus; i++) {
                observe(m.interpreter(i), i, exceptions, instructions, err);
            }
        }
        m.vty().setListener(b -> {
            out.write(b);
            if (b == '\n') {
                out.flush();
            }
        });
        try {
            m.loadElf(elf);
        } catch (IllegalArgumentException e) {
            err.println("pseries boot: " + file + ": " + e.getMessage());
            return 1;
        }
        CpuThreads.Outcome o = m.runGuest((long) (timeout * 1e9));
        out.flush();
        if (o.ending() == CpuThreads.Ending.HALTED && "power-off".equals(o.message())) {
            return 0;
        }
        err.println("pseries boot: " + switch (o.ending()) {
            case TIMEOUT -> String.format("timeout: no power-off after %s s of virtual time", timeout);
            case HALTED -> "the machine stopped: " + o.message();
            case STOPPED -> "no vCPU can run: " + o.message();
            case DONE -> o.message();
        });
        return 1;
    }

    private static void observe(Cpu cpu, int index, boolean exceptions, boolean instructions, PrintWriter err) {
        cpu.addObserver(new CpuObserver() {
            @Override
            public void exception(Cpu c, Vector v, long srr0, long srr1) {
                if (exceptions) {
                    err.printf("[exception] cpu %d: %s interrupt (0x%x), SRR0=0x%x SRR1=0x%x%n", index, v.label, v.offset, srr0, srr1);
                }
            }

            @Override
            public void instruction(Cpu c, long pc, int word) {
                err.printf("[instruction] cpu %d: 0x%x: %08x%n", index, pc, word);
            }

            @Override
            public boolean wantsInstructions() {
                return instructions;
            }
        });
    }
}
