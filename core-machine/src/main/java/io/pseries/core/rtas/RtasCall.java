package io.pseries.core.rtas;

import io.pseries.core.cpu.VCpu;

/**
 * One RTAS invocation: the calling vCPU, the token, the 32-bit input words and the number of
 * output words the caller reserved ({@code nret}). The handler fills {@link #rets} (index 0 is
 * the status word) and never writes beyond {@code nret}.
 */
public final class RtasCall {
    private final VCpu cpu;
    private final int token;
    private final int[] args;
    private final int[] rets;

    public RtasCall(VCpu cpu, int token, int[] args, int nret) {
        this.cpu = cpu;
        this.token = token;
        this.args = args.clone();
        this.rets = new int[Math.max(0, nret)];
    }

    public VCpu cpu() {
        return cpu;
    }

    public int token() {
        return token;
    }

    public int nargs() {
        return args.length;
    }

    public int nret() {
        return rets.length;
    }

    /** Input word {@code i}, as an unsigned value. */
    public long arg(int i) {
        return args[i] & 0xffff_ffffL;
    }

    /** Output word {@code i}; writes past nret are dropped, as the buffer has no room. */
    public void ret(int i, long v) {
        if (i < rets.length) {
            rets[i] = (int) v;
        }
    }

    /** Sets the status word (output 0). */
    public void status(int s) {
        ret(0, s);
    }

    public int[] rets() {
        return rets.clone();
    }

    public int[] args() {
        return args.clone();
    }
}
