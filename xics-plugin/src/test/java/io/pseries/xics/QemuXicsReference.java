package io.pseries.xics;

/**
 * A line-by-line transcription of QEMU 7.2's emulated XICS (hw/intc/xics.c) with its
 * all-source ics_resend, used only as the oracle of {@link ResendEquivalenceTest}. Servers are
 * vCPU indexes here.
 */
final class QemuXicsReference {
    static final int N = Ics.NR_IRQS;
    static final int OFF = Ics.OFFSET;

    final int[] server = new int[N];
    final int[] priority = new int[N];
    final int[] saved = new int[N];
    final int[] status = new int[N];
    final int[] flags = new int[N];
    final int[] xirr;
    final int[] pending;
    final int[] mfrr;
    final boolean[] owner;
    final boolean[] output;

    QemuXicsReference(int cpus) {
        xirr = new int[cpus];
        pending = new int[cpus];
        mfrr = new int[cpus];
        owner = new boolean[cpus];
        output = new boolean[cpus];
        for (int c = 0; c < cpus; c++) {
            pending[c] = 0xff;
            mfrr[c] = 0xff;
        }
        for (int i = 0; i < N; i++) {
            priority[i] = 0xff;
            saved[i] = 0xff;
        }
    }

    private static int xisr(int x) {
        return x & 0xffffff;
    }

    private static int cppr(int x) {
        return x >>> 24;
    }

    void checkIpi(int c) {
        if (xisr(xirr[c]) != 0 && pending[c] <= mfrr[c]) {
            return;
        }
        if (xisr(xirr[c]) != 0 && owner[c]) {
            reject(xisr(xirr[c]));
        }
        xirr[c] = (xirr[c] & ~0xffffff) | 2;
        pending[c] = mfrr[c];
        owner[c] = false;
        output[c] = true;
    }

    void resend(int c) {
        if (mfrr[c] < cppr(xirr[c])) {
            checkIpi(c);
        }
        icsResend();
    }

    void setCppr(int c, int v) {
        v &= 0xff;
        int old = cppr(xirr[c]);
        xirr[c] = (xirr[c] & ~0xff000000) | (v << 24);
        if (v < old) {
            if (xisr(xirr[c]) != 0 && v <= pending[c]) {
                int oldXisr = xisr(xirr[c]);
                xirr[c] &= ~0xffffff;
                pending[c] = 0xff;
                output[c] = false;
                if (owner[c]) {
                    reject(oldXisr);
                    owner[c] = false;
                }
            }
        } else if (xisr(xirr[c]) == 0) {
            resend(c);
        }
    }

    void setMfrr(int c, int v) {
        mfrr[c] = v & 0xff;
        if (mfrr[c] < cppr(xirr[c])) {
            checkIpi(c);
        }
    }

    int accept(int c) {
        int x = xirr[c];
        output[c] = false;
        xirr[c] = pending[c] << 24;
        pending[c] = 0xff;
        owner[c] = false;
        return x;
    }

    void eoi(int c, int x) {
        xirr[c] = (xirr[c] & ~0xff000000) | (x & 0xff000000);
        int irq = x & 0xffffff;
        if (irq >= OFF && irq < OFF + N) {
            int s = irq - OFF;
            if ((flags[s] & 1) != 0) {
                status[s] &= ~2;
            }
        }
        if (xisr(xirr[c]) == 0) {
            resend(c);
        }
    }

    void icpIrq(int c, int nr, int p) {
        if (p >= cppr(xirr[c]) || (xisr(xirr[c]) != 0 && pending[c] <= p)) {
            reject(nr);
        } else {
            if (xisr(xirr[c]) != 0 && owner[c]) {
                reject(xisr(xirr[c]));
                owner[c] = false;
            }
            xirr[c] = (xirr[c] & ~0xffffff) | (nr & 0xffffff);
            owner[c] = true;
            pending[c] = p;
            output[c] = true;
        }
    }

    void resendMsi(int s) {
        if ((status[s] & 4) != 0) {
            status[s] &= ~4;
            if (priority[s] != 0xff) {
                icpIrq(server[s], s + OFF, priority[s]);
            }
        }
    }

    void resendLsi(int s) {
        if (priority[s] != 0xff && (status[s] & 1) != 0 && (status[s] & 2) == 0) {
            status[s] |= 2;
            icpIrq(server[s], s + OFF, priority[s]);
        }
    }

    void setIrq(int s, boolean val) {
        if ((flags[s] & 1) != 0) {
            if (val) {
                status[s] |= 1;
            } else {
                status[s] &= ~1;
            }
            resendLsi(s);
        } else if (val) {
            if (priority[s] == 0xff) {
                status[s] |= 8;
            } else {
                icpIrq(server[s], s + OFF, priority[s]);
            }
        }
    }

    void writeXive(int s, int srv, int p, int sp) {
        server[s] = srv;
        priority[s] = p & 0xff;
        saved[s] = sp & 0xff;
        if ((flags[s] & 1) != 0) {
            resendLsi(s);
        } else {
            if ((status[s] & 8) == 0 || priority[s] == 0xff) {
                return;
            }
            status[s] &= ~8;
            icpIrq(srv, s + OFF, priority[s]);
        }
    }

    void reject(int nr) {
        int s = nr - OFF;
        if ((flags[s] & 2) != 0) {
            status[s] |= 4;
        } else if ((flags[s] & 1) != 0) {
            status[s] &= ~2;
        }
    }

    void icsResend() {
        for (int i = 0; i < N; i++) {
            if ((flags[i] & 1) != 0) {
                resendLsi(i);
            } else {
                resendMsi(i);
            }
        }
    }

    void claim(int s, boolean lsi) {
        flags[s] |= lsi ? 1 : 2;
    }

    void free(int s) {
        server[s] = 0;
        priority[s] = 0;
        saved[s] = 0;
        status[s] = 0;
        flags[s] = 0;
    }
}
