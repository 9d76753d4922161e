package io.pseries.script.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.CasException;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.dt.Dts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pseries dt}: the device tree QEMU would hand the guest, before or after CAS. */
@Command(name = "dt", mixinStandardHelpOptions = true,
    description = {"Print or write the device tree of a machine, as QEMU's pseries machine builds it.",
        "Without --cas it is the tree at reset (pre-CAS); with --cas it is the tree CAS returns.",
        "Examples:",
        "  pseries dt --cpus 4 --ic-mode dual --cas xive",
        "  pseries dt --cpus 4 --device spapr-vlan --device virtio-net-pci -o pseries.dtb"})
final class DtCommand implements Callable<Integer> {

    @Option(names = "--cpus", paramLabel = "N", description = "number of vCPUs (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int cpus;

    @Option(names = "--threads", paramLabel = "T", description = "threads per core, as QEMU's -smp N,threads=T (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int threads;

    @Option(names = "--vsmt", paramLabel = "V", description = "QEMU's vsmt: spacing of the cores' vCPU ids (default: threads)")
    Integer vsmt;

    @Option(names = "--ic-mode", paramLabel = "MODE", description = "xics, xive or dual (default: ${DEFAULT-VALUE})", defaultValue = "dual")
    String icMode;

    @Option(names = "--cas", paramLabel = "MODE",
        description = "negotiate CAS first, the guest asking for xive (byte 23 = 0x40) or xics (0x00)")
    String cas;

    @Option(names = "--device", paramLabel = "TYPE[,key=value...]",
        description = "add a device (repeatable), e.g. spapr-vlan, virtio-net-pci,vectors=4, pci-bridge,id=br0, virtio-blk-pci,bus=br0,addr=3;"
            + " a spapr-vty is always first")
    List<String> devices = new ArrayList<>();

    @Option(names = "--memory", paramLabel = "SIZE", description = "guest RAM (default: ${DEFAULT-VALUE})", defaultValue = "1G")
    String memory;

    @Option(names = "--dts", description = "print dts text (the default when -o is not given)")
    boolean dts;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.dtb", description = "write the flattened tree (dtb) to this file")
    Path output;

    @Option(names = "--qemu-exact",
        description = "leave out the #address-cells = <0> pseries adds to interrupt providers (QEMU's tree, which dtc warns about)")
    boolean qemuExact;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<Object> devs = new ArrayList<>();
        devs.add(Map.of("type", "spapr-vty"));
        for (String d : devices) {
            devs.add(parseDevice(d));
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("cpus", (long) cpus);
        cfg.put("threads", (long) threads);
        if (vsmt != null) {
            cfg.put("vsmt", (long) vsmt);
        }
        cfg.put("icMode", icMode);
        cfg.put("memory", memory);
        cfg.put("devices", devs);
        Machine m;
        try {
            m = Machine.create(MachineConfig.fromMap(cfg));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        m.setDtcClean(!qemuExact);
        if (cas != null) {
            int b23 = switch (cas) {
                case "xive" -> 0x40;
                case "xics" -> 0x00;
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cas must be xive or xics, got '" + cas + "'");
            };
            try {
                m.cas(GuestOv5.linuxVector(b23));
            } catch (CasException e) {
                spec.commandLine().getErr().println("pseries dt: CAS refused: " + e.getMessage());
                return 1;
            }
        }
        if (output != null) {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                spec.commandLine().getErr().println("pseries dt: cannot write " + output + ": no such directory " + parent);
                return 1;
            }
            try {
                Files.write(output, m.fdt());
            } catch (IOException e) {
                spec.commandLine().getErr().println("pseries dt: cannot write " + output + ": " + Main.oneLine(e));
                return 1;
            }
        }
        if (output == null || dts) {
            spec.commandLine().getOut().print(Dts.render(m.deviceTree()));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private Map<String, Object> parseDevice(String spec0) {
        String[] parts = spec0.split(",");
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2 || kv[0].isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--device " + spec0 + ": '" + parts[i] + "' is not key=value");
            }
            String v = kv[1];
            d.put(kv[0], v.matches("-?\\d+|0x[0-9a-fA-F]+") ? (Object) Long.decode(v) : v);
        }
        return d;
    }
}
