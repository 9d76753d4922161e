package io.pseries.core.rtas;

import java.util.Arrays;
import java.util.List;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.util.Suggest;

/**
 * The RTAS entry point: calls by name (scripts), by token (the guest's RTAS blob), and the
 * {@code KVMPPC_H_RTAS} hcall through which a KVM guest's RTAS blob reaches the VMM with the
 * real address of its argument buffer (token, nargs, nret, then the input and output words).
 *
 * <pre>
 *  call(cpu, entry(name), args, nret) ──┐
 *  KVMPPC_H_RTAS(buffer) ── read words ─┼─► callByToken ──► RtasTable handler / PARAM_ERROR
 *                            write outputs back ◄──────────┘        (traced: rtas event)
 * </pre>
 *
 * <p>An unknown token answers status -3 (parameter error) with a {@code guest_error}, as QEMU's
 * spapr_rtas_call does; an unknown name is a script mistake and throws. Threading: confined to
 * the machine's thread.
 */
public final class RtasDispatch {
    /** Most input or output words an argument buffer may declare. */
    private static final int MAX_WORDS = 64;

    private final RtasTable table;
    private final GuestMemory memory;
    private final Trace trace;

    public RtasDispatch(RtasTable table, GuestMemory memory, Trace trace) {
        this.table = table;
        this.memory = memory;
        this.trace = trace;
    }

    /** The table calls register in. */
    public RtasTable table() {
        return table;
    }

    /** Registers {@code KVMPPC_H_RTAS}, the hcall the guest's RTAS blob makes. */
    public void registerHcall(HcallTable hcalls) {
        hcalls.register(Hcalls.KVMPPC_H_RTAS, "KVMPPC_H_RTAS", 0, this::hRtas);
    }

    /** The registered call of that name; a clear error (with a suggestion) when there is none. */
    public RtasTable.Entry entry(String name) {
        RtasTable.Entry e = table.lookup(name);
        if (e == null) {
            List<String> known = table.byToken().values().stream().map(RtasTable.Entry::name).toList();
            throw new IllegalArgumentException("unknown RTAS call '" + name + "'" + Suggest.didYouMean(name, known)
                + (RtasTable.qemuToken(name) >= 0 ? " (this machine does not provide it)" : ""));
        }
        return e;
    }

    /**
     * Calls {@code e} on behalf of {@code cpu}. {@code nret} is the number of output words the
     * caller reserved, status included (negative: the call's usual count).
     */
    public RtasResult call(VCpu cpu, RtasTable.Entry e, int[] args, int nret) {
        return callByToken(cpu, e.token(), args, nret < 0 ? e.nret() : nret);
    }

    /** A call by token, as the guest's RTAS entry point makes it. */
    public RtasResult callByToken(VCpu cpu, int token, int[] args, int nret) {
        RtasTable.Entry e = table.lookup(token);
        RtasCall call = new RtasCall(cpu, token, args, nret);
        if (e == null) {
            trace.guestError(cpu.index(), String.format("Unknown RTAS token 0x%x", token), "token", token);
            call.status(RtasStatus.PARAM_ERROR);
        } else {
            e.handler().call(call);
        }
        int[] all = call.rets();
        int status = all.length > 0 ? all[0] : 0;
        int[] rets = all.length > 1 ? Arrays.copyOfRange(all, 1, all.length) : new int[0];
        if (trace.on(TraceCategory.RTAS)) {
            trace.emit(TraceCategory.RTAS, cpu.index(), e == null ? String.format("token_0x%x", token) : e.name(),
                "token", token, "args", Arrays.stream(args).mapToLong(a -> a & 0xffff_ffffL).boxed().toList(),
                "status", status, "rets", Arrays.stream(rets).mapToLong(a -> a & 0xffff_ffffL).boxed().toList());
        }
        return new RtasResult(status, rets);
    }

    /**
     * {@code KVMPPC_H_RTAS}: R4 is the real address of the argument buffer. A buffer outside RAM
     * or with impossible counts is {@code H_PARAMETER}; otherwise the call's status and outputs
     * are written back into the buffer and the hcall succeeds whatever the RTAS status.
     */
    public long hRtas(VCpu cpu, long[] args) {
        long buf = args[0];
        if (!memory.contains(buf, 12)) {
            trace.guestError(cpu.index(), "RTAS argument buffer outside RAM", "addr", buf);
            return PaprRc.H_PARAMETER;
        }
        int token = memory.read32(buf);
        int nargs = memory.read32(buf + 4);
        int nret = memory.read32(buf + 8);
        if (nargs < 0 || nret < 0 || nargs > MAX_WORDS || nret > MAX_WORDS || !memory.contains(buf + 12, 4 * (nargs + nret))) {
            trace.guestError(cpu.index(), "bad RTAS argument buffer", "addr", buf, "nargs", nargs, "nret", nret);
            return PaprRc.H_PARAMETER;
        }
        int[] in = new int[nargs];
        for (int i = 0; i < nargs; i++) {
            in[i] = memory.read32(buf + 12 + 4L * i);
        }
        RtasResult r = callByToken(cpu, token, in, nret);
        int[] all = new int[nret];
        if (nret > 0) {
            all[0] = r.status();
            System.arraycopy(r.rets(), 0, all, 1, Math.min(r.rets().length, nret - 1));
        }
        for (int i = 0; i < nret; i++) {
            memory.write32(buf + 12 + 4L * (nargs + i), all[i]);
        }
        return PaprRc.H_SUCCESS;
    }
}
