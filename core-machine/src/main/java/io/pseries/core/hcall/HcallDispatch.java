package io.pseries.core.hcall;

import java.util.Arrays;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.util.Suggest;

/**
 * The hypervisor-call entry point: a guest's {@code sc 1} with R3 = opcode lands here and is
 * handed to whatever registered the opcode in the {@link HcallTable} (the machine, the
 * interrupt controllers). An opcode nobody registered answers {@code H_FUNCTION} and leaves an
 * {@code unimplemented} trace event with QEMU's message, as QEMU's spapr_hypercall does.
 *
 * <pre>
 *  call(cpu, opcode, args...) ──► copy into R4..R12 ──┐               (traced: hcall event)
 *  dispatch(cpu, opcode, regs) ───────────────────────┴─► lookup ──► handler / H_FUNCTION
 * </pre>
 *
 * <p>{@link #call} is the script-facing path: it copies, returns an {@link HcallResult} and
 * traces the call. {@link #dispatch} is the allocation-free path of the guest model and the
 * benchmarks: {@code regs} carries R4.. in and the outputs out, nothing is traced there (the
 * caller traces when tracing is on). Which handler serves an opcode is decided only in
 * {@link #dispatch}.
 *
 * <p>Threading: confined to the machine's thread.
 */
public final class HcallDispatch {
    private final HcallTable table;
    private final Trace trace;

    public HcallDispatch(HcallTable table, Trace trace) {
        this.table = table;
        this.trace = trace;
    }

    /** The table handlers register in. */
    public HcallTable table() {
        return table;
    }

    /**
     * An hcall on behalf of {@code cpu} with R4.. = {@code args} (at most {@link HcallTable#NARGS}):
     * the outputs the hcall defines, and an {@code hcall} trace event when tracing is on.
     */
    public HcallResult call(VCpu cpu, long opcode, long... args) {
        if (args.length > HcallTable.NARGS) {
            throw new IllegalArgumentException("an hcall takes at most " + HcallTable.NARGS + " arguments (R4..R12), got " + args.length);
        }
        long[] regs = new long[HcallTable.NARGS];
        System.arraycopy(args, 0, regs, 0, args.length);
        long[] in = regs.clone();
        long rc = dispatch(cpu, opcode, regs);
        HcallTable.Entry e = table.lookup(opcode);
        int nret = e == null ? 0 : e.nret();
        long[] rets = Arrays.copyOf(regs, nret);
        if (trace.on(TraceCategory.HCALL)) {
            trace.emit(TraceCategory.HCALL, cpu.index(), e == null ? String.format("hcall_0x%x", opcode) : e.name(),
                "opcode", opcode, "args", Arrays.stream(in, 0, args.length).boxed().toList(),
                "rc", rc, "rcName", PaprRc.name(rc), "rets", Arrays.stream(rets).boxed().toList());
        }
        return new HcallResult(rc, rets);
    }

    /**
     * The allocation-free path: {@code regs} ({@link HcallTable#NARGS} long) carries R4.. in and
     * the outputs out; returns R3. Unknown opcodes answer {@code H_FUNCTION}.
     */
    public long dispatch(VCpu cpu, long opcode, long[] regs) {
        HcallTable.Entry e = table.lookup(opcode);
        if (e == null) {
            trace.emit(TraceCategory.UNIMPLEMENTED, cpu.index(), "hcall",
                "message", String.format("Unimplemented SPAPR hcall 0x%x", opcode), "opcode", opcode);
            return PaprRc.H_FUNCTION;
        }
        return e.handler().call(cpu, regs);
    }

    /**
     * The opcode for an hcall name such as {@code "H_INT_ESB"}: one this machine serves, or any
     * PAPR/KVMPPC hcall ({@link PaprHcallNames}; dispatching one nobody serves answers
     * {@code H_FUNCTION}, as for a guest). A name no hcall has is an error with a suggestion.
     */
    public int opcode(String name) {
        HcallTable.Entry e = table.lookup(name);
        if (e != null) {
            return e.opcode();
        }
        Integer papr = PaprHcallNames.opcode(name);
        if (papr != null) {
            return papr;
        }
        java.util.Set<String> names = new java.util.TreeSet<>(table.all().keySet());
        names.addAll(PaprHcallNames.all().keySet());
        throw new IllegalArgumentException("unknown hcall '" + name + "'" + Suggest.didYouMean(name, names)
            + "; this machine serves: " + String.join(", ", table.all().keySet()));
    }
}
