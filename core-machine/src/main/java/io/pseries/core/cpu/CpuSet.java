package io.pseries.core.cpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * The machine's vCPUs, found by index (the order QEMU creates them in, 0 the boot CPU) or by
 * vCPU id (the guest-visible server number, spaced by {@code vsmt}; see {@link CpuTopology}).
 * Some server numbers name no vCPU.
 *
 * <p>The list is handed out as a read-only view before the vCPUs exist, because the interrupt
 * controllers are created first (QEMU's order) and keep that view; {@link #create} then fills it.
 *
 * <p>Threading: the machine's thread only.
 */
public final class CpuSet {
    private final List<VCpu> cpus = new ArrayList<>();
    private final List<VCpu> view = Collections.unmodifiableList(cpus);
    private final CpuTopology topology;
    private final VCpu[] byVcpuId;

    public CpuSet(CpuTopology topology) {
        this.topology = topology;
        this.byVcpuId = new VCpu[topology.nrServers()];
    }

    /** Creates {@code count} vCPUs in index order, telling {@code created} of each. */
    public void create(int count, Consumer<VCpu> created) {
        for (int i = 0; i < count; i++) {
            VCpu c = new VCpu(i, topology.vcpuId(i));
            cpus.add(c);
            byVcpuId[c.vcpuId()] = c;
            created.accept(c);
        }
    }

    /** Every vCPU by index, as a read-only view. */
    public List<VCpu> all() {
        return view;
    }

    /** The vCPU with this index; a clear error when there is none. */
    public VCpu get(long index) {
        if (index < 0 || index >= cpus.size()) {
            throw new IllegalArgumentException("cpu " + index + " does not exist: the machine has "
                + cpus.size() + " vCPU" + (cpus.size() == 1 ? " (0)" : "s (0.." + (cpus.size() - 1) + ")"));
        }
        return cpus.get((int) index);
    }

    /** The vCPU with this id, or null when the server number names none. */
    public VCpu byVcpuId(long vcpuId) {
        return vcpuId >= 0 && vcpuId < byVcpuId.length ? byVcpuId[(int) vcpuId] : null;
    }

    public CpuTopology topology() {
        return topology;
    }

    /** Resets every vCPU (only the boot CPU runs after it). */
    public void reset() {
        for (VCpu c : cpus) {
            c.reset();
        }
    }

    /** Drops every vCPU's interrupt inputs, for the controllers to derive them again after a restore. */
    public void dropInputs() {
        for (VCpu c : cpus) {
            c.setOsInterrupt(false);
            c.setHvInterrupt(false);
        }
    }
}
