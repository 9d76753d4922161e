package io.pseries.core.rtas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;

/**
 * The platform's RTAS calls ({@link PlatformRtas}) as QEMU answers them: argument counts,
 * the console, the time of day, cpu start/stop/query, power-off, os-term, reboot, event-scan
 * and check-exception.
 */
class PlatformRtasTest {
    private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).build());

    private RtasResult call(String name, int nret, int... args) {
        return m.rtas(0, name, args, nret);
    }

    @Test
    void displayCharacterPrintsOneCharacter() {
        assertEquals(0, call("display-character", 1, 'o').status());
        assertEquals(0, call("display-character", 1, 'k').status());
        assertEquals("ok", m.console());
    }

    @Test
    void displayCharacterChecksItsArgumentCounts() {
        assertEquals(RtasStatus.PARAM_ERROR, call("display-character", 1).status());
        assertEquals(-3, call("display-character", 1, 'a', 'b').status());
        assertEquals(-3, call("display-character", 2, 'a').status());
        assertEquals("", m.console());
    }

    @Test
    void getTimeOfDayChecksItsArgumentCounts() {
        assertEquals(-3, call("get-time-of-day", 8, 0).status());
        assertEquals(-3, call("get-time-of-day", 7).status());
    }

    @Test
    void getTimeOfDayCountsVirtualTimeFrom2026() {
        RtasResult r = call("get-time-of-day", -1);
        assertEquals(0, r.status());
        assertArrayEquals(new int[] {2026, 1, 1, 0, 0, 0, 0}, r.rets());
        m.run(61_500_000_000L);
        assertArrayEquals(new int[] {2026, 1, 1, 0, 1, 1, 500_000_000}, call("get-time-of-day", 8).rets());
    }

    @Test
    void setTimeOfDayMovesTheClockTheGuestSees() {
        assertEquals(0, call("set-time-of-day", 1, 2030, 6, 15, 12, 30, 45, 0).status());
        m.run(2_000_000_000L);
        assertArrayEquals(new int[] {2030, 6, 15, 12, 30, 47, 0}, call("get-time-of-day", 8).rets());
        assertEquals(-3, call("set-time-of-day", 1, 2030, 13, 1, 0, 0, 0, 0).status(), "month 13");
        assertEquals(-3, call("set-time-of-day", 1, 2030).status());
    }

    @Test
    void startCpuChecksItsArgumentCounts() {
        assertEquals(-3, call("start-cpu", 1, 1, 0x10000).status());
        assertEquals(-3, call("start-cpu", 2, 1, 0x10000, 1).status());
        assertFalse(m.cpu(1).running());
    }

    @Test
    void startCpuOfAnUnknownCpuIsAParameterError() {
        assertEquals(-3, call("start-cpu", 1, 4, 0x10000, 4).status());
    }

    @Test
    void startCpuStartsAStoppedCpu() {
        assertEquals(0, call("start-cpu", 1, 2, 0x10000, 2).status());
        assertTrue(m.cpu(2).running());
        assertFalse(m.cpu(1).running());
    }

    @Test
    void startCpuOfARunningCpuIsAHardwareError() {
        // QEMU rtas_start_cpu: "if (!CPU(newcpu)->halted) RTAS_OUT_HW_ERROR"
        assertEquals(-1, call("start-cpu", 1, 0, 0x10000, 0).status());
        assertEquals(0, call("start-cpu", 1, 1, 0x10000, 1).status());
        assertEquals(-1, call("start-cpu", 1, 1, 0x10000, 1).status());
    }

    @Test
    void queryCpuStoppedStateSaysZeroForStoppedAndTwoForRunning() {
        RtasResult stopped = call("query-cpu-stopped-state", 2, 3);
        assertEquals(0, stopped.status());
        assertArrayEquals(new int[] {0}, stopped.rets());
        assertArrayEquals(new int[] {2}, call("query-cpu-stopped-state", 2, 0).rets());
        call("start-cpu", 1, 3, 0x10000, 3);
        assertArrayEquals(new int[] {2}, call("query-cpu-stopped-state", 2, 3).rets());
    }

    @Test
    void queryCpuStoppedStateChecksItsArguments() {
        assertEquals(-3, call("query-cpu-stopped-state", 2).status());
        assertEquals(-3, call("query-cpu-stopped-state", 1, 0).status());
        assertEquals(-3, call("query-cpu-stopped-state", 2, 9).status(), "no such cpu");
    }

    @Test
    void stopSelfStopsTheCallingCpu() {
        call("start-cpu", 1, 1, 0x10000, 1);
        assertEquals(0, m.rtas(1, "stop-self", new int[0], 1).status());
        assertFalse(m.cpu(1).running());
        assertArrayEquals(new int[] {0}, call("query-cpu-stopped-state", 2, 1).rets());
    }

    @Test
    void powerOffAndOsTerm() {
        assertEquals(-3, call("power-off", 1, 0).status());
        assertFalse(m.poweredOff());
        assertEquals(0, call("power-off", 1, 0, 0).status());
        assertTrue(m.poweredOff());
        assertEquals(0, call("ibm,os-term", 1, 0x1000).status());
        assertEquals("os-term", m.osTerm());
    }

    @Test
    void systemRebootResetsOnceTheCallHasReturned() {
        call("start-cpu", 1, 1, 0x10000, 1);
        assertEquals(0, call("system-reboot", 1).status());
        assertEquals(0, m.resetCount(), "not during the call");
        assertTrue(m.cpu(1).running());
        m.run(0);
        assertEquals(1, m.resetCount());
        assertFalse(m.cpu(1).running());
    }

    @Test
    void eventScanAndCheckExceptionFindNothing() {
        assertEquals(RtasStatus.NO_ERRORS_FOUND, call("event-scan", 1, 0, 0, 0, 0).status());
        assertEquals(-3, call("event-scan", 1, 0).status());
        assertEquals(1, call("check-exception", 1, 0, 0, 0, 0, 0, 0).status());
        assertEquals(1, call("check-exception", 1, 0, 0, 0, 0, 0, 0, 0).status());
        assertEquals(-3, call("check-exception", 1, 0, 0, 0, 0, 0).status());
    }

    @Test
    void cpuCallsNameCpusByVcpuIdNotIndex() {
        // rtas_start_cpu / query-cpu-stopped-state look the CPU up by its vCPU id (spapr_find_cpu)
        Machine smt = FakeIntc.machine(MachineConfig.builder().cpus(4).threads(2).vsmt(4).build());
        assertEquals(0, smt.rtas(0, "start-cpu", new int[] {4, 0x10000, 4}, 1).status());
        assertTrue(smt.cpu(2).running(), "vCPU id 4 is index 2");
        assertArrayEquals(new int[] {2}, smt.rtas(0, "query-cpu-stopped-state", new int[] {4}, 2).rets());
        assertEquals(-3, smt.rtas(0, "start-cpu", new int[] {2, 0x10000, 2}, 1).status(), "id 2 is a gap");
        assertEquals(-3, smt.rtas(0, "query-cpu-stopped-state", new int[] {3}, 2).status(), "id 3 is a gap");
    }
}
