package io.pseries.xics.kvm;

import java.util.BitSet;

import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.HostInterruptControllerProvider;
import io.pseries.core.host.KvmVm;

/**
 * A host interrupt controller reduced to its IPI pool, for the XICS device tests (the XIVE
 * plugin, which provides the real one, is not on this module's class path).
 */
public final class PoolHostIntc implements HostInterruptController, HostInterruptControllerProvider {
    static final int SIZE = 64;
    private final BitSet used = new BitSet();
    private KvmVm vm;

    @Override
    public HostInterruptController create(KvmVm v) {
        PoolHostIntc p = new PoolHostIntc();
        p.vm = v;
        return p;
    }

    @Override
    public int allocIrq() {
        int n = used.nextClearBit(1);
        if (n >= SIZE) {
            return 0;
        }
        used.set(n);
        vm.stats().ipiAllocated(1);
        return n;
    }

    @Override
    public void freeIrq(int hw) {
        if (used.get(hw)) {
            used.clear(hw);
            vm.stats().ipiAllocated(-1);
        }
    }

    @Override
    public IrqInfo irqInfo(int hw) {
        return used.get(hw) ? new IrqInfo(hw, hw * 0x20000L, hw * 0x20000L + 0x10000, 16, false, false) : null;
    }

    @Override
    public int configureIrq(int hw, int vp, int priority, int data) {
        return 0;
    }

    @Override
    public long esbLoad(int hw, int offset) {
        return 0;
    }

    @Override
    public void esbStore(int hw, boolean triggerPage, int offset, long value) {
    }

    @Override
    public int allocatedIrqs() {
        return used.cardinality();
    }

    @Override
    public int allocVpBlock(int count) {
        return 0;
    }

    @Override
    public void freeVpBlock(int base) {
    }
}
