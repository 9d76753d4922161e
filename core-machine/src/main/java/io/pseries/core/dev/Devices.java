package io.pseries.core.dev;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.pseries.core.MachineConfig;
import io.pseries.core.util.Suggest;

/** Creates devices from their configuration, checking types, options and addresses. */
public final class Devices {
    /** Every device type a configuration may name. */
    public static final Set<String> TYPES = new TreeSet<>(List.of("spapr-vty", "spapr-vlan", "spapr-nvram"));

    private Devices() {
    }

    public static List<Device> create(List<MachineConfig.DeviceConfig> configs) {
        List<Device> out = new ArrayList<>();
        Set<Long> vioRegs = new HashSet<>();
        long nextReg = VioDevice.REG_BASE;
        int vlans = 0;
        int index = 0;
        for (MachineConfig.DeviceConfig c : configs) {
            if (!TYPES.contains(c.type())) {
                throw new IllegalArgumentException("invalid machine option devices[" + index + "].type: '" + c.type()
                    + "'" + Suggest.didYouMean(c.type(), TYPES) + "; valid types: " + String.join(", ", TYPES));
            }
            while (vioRegs.contains(nextReg)) {
                nextReg++;
            }
            VioDevice d = VioDevice.create(c, nextReg, c.type().equals("spapr-vlan") ? vlans++ : 0);
            if (!vioRegs.add(d.reg())) {
                throw new IllegalArgumentException(String.format(
                    "devices[%d] (%s): VIO reg 0x%x is already used by another device", index, c.type(), d.reg()));
            }
            if (d.reg() == nextReg) {
                nextReg++;
            }
            out.add(d);
            index++;
        }
        return out;
    }
}
