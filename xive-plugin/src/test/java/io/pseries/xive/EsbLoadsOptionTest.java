package io.pseries.xive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;

/**
 * {@code esbLoads}: H_INT_ESB loads return PAPR's value (the ESB byte in R4's low bits) by
 * default, and QEMU 7.2's little-endian-host placement (the byte in R4's top byte, e.g.
 * 0x0100000000000000 for PQ=01, as ../shared/reference/qemu-observed.md saw) on request.
 */
class EsbLoadsOptionTest {

    static Machine machine(String esbLoads) {
        Machine m = Machine.create(MachineConfig.builder().cpus(1).icMode("xive").esbLoads(esbLoads)
            .devices(List.of()).build());
        m.cas(GuestOv5.linuxVector(0x40));
        return m;
    }

    /** SET_PQ_01 then GET through H_INT_ESB on the PHB's first LSI; returns both R4 values. */
    static long[] maskThenGet(Machine m) {
        long set = m.hcall(0, Hcalls.H_INT_ESB, 0, 0x1200, 0xd00, 0).rets()[0];
        long get = m.hcall(0, Hcalls.H_INT_ESB, 0, 0x1200, 0x800, 0).rets()[0];
        return new long[] {set, get};
    }

    @Test
    void paprLoadsReturnTheEsbByteInTheLowBits() {
        Machine m = machine("papr");
        long[] r = maskThenGet(m);
        assertEquals(0x1, r[0], "SET_PQ_01 returns the old PQ: 01, as a source starts off");
        assertEquals(0x1, r[1], "GET returns PQ=01");
    }

    @Test
    void qemuLoadsPutTheEsbByteInTheTopByteAsOnALittleEndianHost() {
        Machine m = machine("qemu");
        long[] r = maskThenGet(m);
        assertEquals(0x0100000000000000L, r[0]);
        assertEquals(0x0100000000000000L, r[1]);
    }
}
