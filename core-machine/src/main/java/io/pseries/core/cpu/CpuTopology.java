package io.pseries.core.cpu;

/**
 * How vCPUs are grouped into cores and numbered, as QEMU's pseries does it for
 * {@code -smp N,threads=T} and the machine's {@code vsmt} property (hw/ppc/spapr.c):
 *
 * <ul>
 *   <li>cores of {@code threads} threads each, vCPU index {@code i} in core {@code i / threads};</li>
 *   <li>vCPU id (spapr_vcpu_id): {@code (i / threads) * vsmt + i % threads}: each core starts on a
 *       multiple of {@code vsmt}, so with {@code vsmt > threads} ids are spaced and some server
 *       numbers belong to no vCPU;</li>
 *   <li>server numbers (spapr_max_server_number): {@code ceil(cpus * vsmt / threads)}, what the
 *       controllers size their per-server state by (XIVE IPIs and ENDs, XICS server ranges).</li>
 * </ul>
 *
 * <p>An immutable value (any thread); the configuration checked its numbers.
 *
 * @param cpus    number of vCPUs, a multiple of {@code threads}
 * @param threads threads per core, a power of 2
 * @param vsmt    the VSMT mode, at least {@code threads}
 */
public record CpuTopology(int cpus, int threads, int vsmt) {

    /** The guest-visible id of the vCPU with this index (spapr_vcpu_id). */
    public int vcpuId(int index) {
        return (index / threads) * vsmt + index % threads;
    }

    /** Number of interrupt server numbers (spapr_max_server_number). */
    public int nrServers() {
        return (int) ((((long) cpus) * vsmt + threads - 1) / threads);
    }

    /** Number of cores. */
    public int cores() {
        return cpus / threads;
    }

    /** Whether the vCPU is the first thread of its core (QEMU's spapr_is_thread0_in_vcore). */
    public boolean isThread0(VCpu cpu) {
        return cpu.vcpuId() % vsmt == 0;
    }
}
