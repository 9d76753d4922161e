package io.pseries.script.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.pseries.core.host.HostConfig;
import io.pseries.core.util.Suggest;
import io.pseries.script.layout.LayoutChart;
import io.pseries.script.layout.LayoutExperiment;
import io.pseries.script.layout.LayoutTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pseries layout}: the layout laboratory over a grid of vCPUs, sources and ESB mappings. */
@Command(name = "layout", mixinStandardHelpOptions = true,
    description = {"What the XIVE ESB layout costs the host, for every combination of vCPUs, device sources and",
        "ESB mapping: a XIVE machine boots the guest model, reads each source's ESB page once and sends",
        "one IPI from every vCPU to the next. Reported: the VMM's device VMAs, KVM memory slots, bytes",
        "mapped, pages faulted in, faults, zaps, HW IPIs KVM allocated, VMM exits per IPI, and which",
        "mapping failed where (a per-source layout reaches KVM_USER_MEM_SLOTS or vm.max_map_count)."})
final class LayoutCommand implements Callable<Integer> {

    @Option(names = "--cpus", split = ",", paramLabel = "N", description = "vCPU counts (default: 1,64,1024)")
    List<Integer> cpus = new ArrayList<>(List.of(1, 64, 1024));

    @Option(names = "--sources", split = ",", paramLabel = "N", description = "device interrupt sources claimed (default: 1024,65536)")
    List<Integer> sources = new ArrayList<>(List.of(1024, 65536));

    @Option(names = "--mapping", split = ",", paramLabel = "MAPPING",
        description = "ESB mappings: window (one mmap of the ESB window, KVM's) and/or per-source (default: window,per-source)")
    List<String> mapping = new ArrayList<>(List.of("window", "per-source"));

    @Option(names = "--kernel-irqchip", paramLabel = "MODE", defaultValue = "on",
        description = "on, allowed or off: whether the in-kernel XIVE serves the guest (default: ${DEFAULT-VALUE})")
    String kernelIrqchip;

    @Option(names = "--mem-slots", paramLabel = "N", description = "KVM_USER_MEM_SLOTS of the host (default: Linux 6.1's ${DEFAULT-VALUE})",
        defaultValue = "" + HostConfig.KVM_USER_MEM_SLOTS_PPC64)
    int memSlots;

    @Option(names = "--max-map-count", paramLabel = "N", description = "vm.max_map_count of the host (default: ${DEFAULT-VALUE})",
        defaultValue = "" + HostConfig.DEFAULT_MAX_MAP_COUNT)
    int maxMapCount;

    @Option(names = "--chart", paramLabel = "FILE", description = "also draw VMAs and memory slots per combination into FILE (.png or .svg)")
    Path chart;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        for (int c : cpus) {
            if (c < 1 || c > 4096) {
                throw new CommandLine.ParameterException(cl, "--cpus: " + c + " is not a vCPU count from 1 to 4096");
            }
        }
        for (int s : sources) {
            if (s < 0) {
                throw new CommandLine.ParameterException(cl, "--sources: " + s + " is negative");
            }
            try {
                LayoutExperiment.nrIrqsFor(s);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        for (String m : mapping) {
            if (!HostConfig.ESB_MAPPINGS.contains(m)) {
                throw new CommandLine.ParameterException(cl, "--mapping: unknown mapping '" + m + "'"
                    + Suggest.didYouMean(m, HostConfig.ESB_MAPPINGS) + "; valid: window, per-source");
            }
        }
        if (!List.of("on", "allowed", "off").contains(kernelIrqchip)) {
            throw new CommandLine.ParameterException(cl, "--kernel-irqchip: '" + kernelIrqchip + "'; expected on, allowed or off");
        }
        if (memSlots < 1 || maxMapCount < 1) {
            throw new CommandLine.ParameterException(cl, "--mem-slots and --max-map-count must be at least 1");
        }
        if (chart != null) {
            String n = chart.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (!n.endsWith(".png") && !n.endsWith(".svg")) {
                throw new CommandLine.ParameterException(cl, "--chart: the file must end in .png or .svg, got " + chart);
            }
        }
        HostConfig base = new HostConfig(true, true, 16, memSlots, maxMapCount, null);
        List<LayoutExperiment.Row> rows = new ArrayList<>();
        // a progress line on a terminal (the sweep can take minutes at 4096 vCPUs x 1M sources)
        Progress progress = Progress.forConsole(new java.io.PrintStream(new WriterOutputStream(cl.getErr()), true,
            java.nio.charset.StandardCharsets.UTF_8));
        int total = cpus.size() * sources.size() * mapping.size();
        for (int c : cpus) {
            for (int s : sources) {
                for (String m : mapping) {
                    progress.update(String.format("layout %d/%d: %d vCPUs, %d sources, %s", rows.size() + 1, total, c, s, m));
                    rows.add(LayoutExperiment.run(c, s, base.withEsbMapping(m), kernelIrqchip));
                }
            }
        }
        progress.done();
        cl.getOut().print(LayoutTable.render(rows));
        cl.getOut().flush();
        if (chart != null) {
            LayoutChart.write(LayoutChart.chart(rows, memSlots, maxMapCount), chart);
            cl.getErr().println("chart: " + chart);
        }
        return 0;
    }
}
