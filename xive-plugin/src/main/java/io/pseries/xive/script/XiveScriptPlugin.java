package io.pseries.xive.script;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.graalvm.polyglot.HostAccess;

import io.pseries.core.Machine;
import io.pseries.script.spi.ScriptPlugin;
import io.pseries.xive.End;
import io.pseries.xive.SpaprXive;
import io.pseries.xive.Tima;

/** Adds {@code m.xive} (direct access to the XIVE tables) to machines that have a XIVE controller. */
public final class XiveScriptPlugin implements ScriptPlugin {
    private static final String BINDING = load();

    @Override
    public String name() {
        return "xive";
    }

    @Override
    public boolean appliesTo(Machine m) {
        return m.controller("xive") instanceof SpaprXive;
    }

    @Override
    public Object hostFor(Machine m) {
        return new Host((SpaprXive) m.controller("xive"));
    }

    @Override
    public String bindingSource() {
        return BINDING;
    }

    private static String load() {
        try (InputStream in = XiveScriptPlugin.class.getResourceAsStream("/io/pseries/xive/xive-binding.js")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the binding calls. */
    public static final class Host {
        private final SpaprXive x;

        Host(SpaprXive x) {
            this.x = x;
        }

        private void lisn(long n) {
            if (n < 0 || n >= x.nrIrqs()) {
                throw new IllegalArgumentException(String.format("LISN 0x%x is out of range [0, 0x%x)", n, x.nrIrqs()));
            }
        }

        private void checkEnd(long e) {
            if (e < 0 || e >= x.nrEnds()) {
                throw new IllegalArgumentException("END index " + e + " is out of range [0, " + x.nrEnds() + ")");
            }
        }

        @HostAccess.Export
        public long eas(long n) {
            lisn(n);
            return x.router().eas((int) n);
        }

        @HostAccess.Export
        public void setEas(long n, long w) {
            lisn(n);
            x.router().setEas((int) n, w);
        }

        @HostAccess.Export
        public int[] end(long e) {
            checkEnd(e);
            int[] w = new int[End.WORDS];
            for (int i = 0; i < End.WORDS; i++) {
                w[i] = x.router().endWord((int) e, i);
            }
            return w;
        }

        @HostAccess.Export
        public void setEnd(long e, long word, long value) {
            checkEnd(e);
            if (word < 0 || word >= End.WORDS) {
                throw new IllegalArgumentException("END word must be 0..7, got " + word);
            }
            x.router().setEndWord((int) e, (int) word, (int) value);
        }

        @HostAccess.Export
        public int pq(long n) {
            lisn(n);
            return x.source().pq((int) n);
        }

        @HostAccess.Export
        public long enqueued() {
            return x.router().enqueuedCount();
        }

        @HostAccess.Export
        public int endIndex(long vcpu, long prio) {
            if (prio < 0 || prio > 7) {
                throw new IllegalArgumentException("priority must be 0..7, got " + prio);
            }
            long e = (vcpu << 3) + prio;
            checkEnd(e);
            return (int) e;
        }

        @HostAccess.Export
        public long[] layout() {
            return new long[] {SpaprXive.VC_BASE, x.endEsbBase(), SpaprXive.TM_BASE,
                SpaprXive.TM_BASE + Tima.PAGE_OS * (1L << Tima.SHIFT), x.source().esbShift(), x.nrIrqs(), x.nrEnds()};
        }
    }
}
