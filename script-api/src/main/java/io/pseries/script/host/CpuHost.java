package io.pseries.script.host;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

import io.pseries.core.Machine;
import io.pseries.core.boot.VofBoot;
import io.pseries.core.cpu.CpuThreads;
import io.pseries.core.isa.Cpu;
import io.pseries.core.isa.CpuObserver;
import io.pseries.core.isa.Stop;
import io.pseries.core.isa.Vector;
import io.pseries.core.util.Json;

/**
 * The Java half of a script's guest-code API: {@code m.loadElf}, {@code m.cpu(n)} (registers,
 * run, step, breakpoints) and the {@code 'exception'} and {@code 'instruction'} events. Like
 * {@link MachineHost}, it takes and returns primitives, arrays and JSON strings only.
 *
 * <p>{@code m.cpu(n).run()} runs the whole machine (every started vCPU, in slices on the
 * scheduler) until vCPU n has executed the instructions asked for, reached the {@code until}
 * address or a breakpoint, stopped, or the machine halted or timed out; the answer says which.
 * A vCPU stopped at a breakpoint goes on from there at the next run.
 *
 * <p>Threading: the script's thread; observers run on it in the middle of a run, and an
 * exception thrown by a listener is rethrown once the run has returned.
 */
public final class CpuHost {
    /** Default bound of a run: 10 s of virtual time. */
    static final long DEFAULT_TIMEOUT_NS = 10_000_000_000L;

    private final MachineHost owner;
    // not final: a checkpoint (--checkpoint-invariance) moves this object to the restored machine
    private Machine m;
    private final long[][] breakpoints;
    /** Each 'exception'/'instruction' subscription: its observer of each vCPU, re-added on a checkpoint's machine. */
    private final List<CpuObserver[]> watches = new ArrayList<>();
    private RuntimeException listenerError;
    /** Runs of guest code under way (a listener may start another): no checkpoint inside one. */
    private int runs;

    CpuHost(MachineHost owner, Machine m) {
        this.owner = owner;
        this.m = m;
        this.breakpoints = new long[m.cpus().size()][0];
    }

    /**
     * A checkpoint put {@code fresh} in the old machine's place: the scripts' subscriptions and
     * breakpoints (debugger state, in no snapshot section) go on on its interpreters, and the
     * script's {@code m.cpu(n)} objects, which hold this one, reach the new machine.
     */
    void moveTo(Machine fresh) {
        m = fresh;
        for (CpuObserver[] w : watches) {
            for (int i = 0; i < w.length; i++) {
                cpu(i).addObserver(w[i]);
            }
        }
        for (int n = 0; n < breakpoints.length; n++) {
            if (breakpoints[n].length > 0) {
                cpu(n).setBreakpoints(breakpoints[n]);
            }
        }
    }

    /** Whether a run of guest code is under way (the caller is one of its listeners). */
    boolean inRun() {
        return runs > 0;
    }

    private Cpu cpu(int n) {
        return m.interpreter(n);
    }

    private void rethrow() {
        RuntimeException e = listenerError;
        if (e != null) {
            listenerError = null;
            throw e;
        }
    }

    /** Loads ELF bytes (each 0..255) and returns {entry, low, high} as JSON. */
    @HostAccess.Export
    public String loadElf(int[] bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return loaded(m.loadElf(b));
    }

    private PseriesHost.FileReader fileReader;

    PseriesHost.FileReader fileReader() {
        return fileReader;
    }

    void setFileReader(PseriesHost.FileReader r) {
        fileReader = r;
    }

    /** Loads an ELF file, read under the script's read sandbox (its own directory and --allow-read trees). */
    @HostAccess.Export
    public String loadElfPath(String path) {
        byte[] b;
        try {
            b = fileReader.read(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("m.loadElf: no such file: " + path);
        } catch (SecurityException e) {
            throw new IllegalArgumentException("m.loadElf: " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("m.loadElf: cannot read " + path + ": " + e.getMessage());
        }
        return loaded(m.loadElf(b));
    }

    private static String loaded(VofBoot.Loaded l) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("entry", l.entry());
        o.put("low", l.low());
        o.put("high", l.high());
        return Json.write(o);
    }

    @HostAccess.Export
    public String regs(int n) {
        Map<String, Object> r = cpu(n).registers();
        Stop s = cpu(n).stopped();
        r.put("stopped", s == null ? null : s.message());
        return Json.write(r);
    }

    @HostAccess.Export
    public void setRegister(int n, String name, long value) {
        Cpu c = cpu(n);
        if (name.matches("r([0-9]|[12][0-9]|3[01])")) {
            c.setGpr(Integer.parseInt(name.substring(1)), value);
        } else if (name.equals("pc")) {
            c.setPc(value);
        } else if (name.equals("msr")) {
            c.putMsr(value);
        } else {
            throw new IllegalArgumentException("m.cpu(" + n + ").setReg: can set r0..r31, pc or msr, not '" + name + "'");
        }
    }

    @HostAccess.Export
    public void setBreakpoints(int n, long[] addrs) {
        breakpoints[n] = addrs.clone();
        cpu(n).setBreakpoints(addrs);
    }

    @HostAccess.Export
    public long[] breakpoints(int n) {
        return breakpoints[n].clone();
    }

    /**
     * Runs until vCPU {@code n} executed {@code instructions} more (negative: no limit), reached
     * {@code until} (negative: none) or a breakpoint, or the machine stops or times out.
     * Returns {reason, message, instructions, pc} as JSON.
     */
    @HostAccess.Export
    public String run(int n, long instructions, long until, long timeoutNs) {
        if (runs == 0 && owner.checkpointing()) {
            owner.boundary(instructions == 1 && until < 0 && timeoutNs < 0 ? "m.cpu(" + n + ").step()" : "m.cpu(" + n + ").run()");
        }
        CpuThreads t = m.cpuThreads();
        if (!t.enabled()) {
            throw new IllegalStateException("m.cpu(" + n + ").run: no guest code is loaded; call m.loadElf(...) first");
        }
        Cpu c = cpu(n);
        if (c.stopped() != null && c.stopped().kind() == Stop.Kind.BREAKPOINT) {
            c.resume();
        }
        long[] bps = breakpoints[n];
        if (until >= 0) {
            long[] with = java.util.Arrays.copyOf(bps, bps.length + 1);
            with[bps.length] = until;
            c.setBreakpoints(with);
        }
        long before = c.retired();
        if (instructions >= 0) {
            t.setBudget(n, instructions);
        }
        CpuThreads.Outcome o;
        runs++;
        try {
            o = t.runUntil(Math.addExact(m.now(), timeoutNs < 0 ? DEFAULT_TIMEOUT_NS : timeoutNs),
                () -> t.budget(n) == 0 || c.stopped() != null);
        } finally {
            runs--;
            t.setBudget(n, Long.MAX_VALUE);
            c.setBreakpoints(bps);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        String reason;
        String message = o.message();
        Stop s = c.stopped();
        if (o.ending() == CpuThreads.Ending.DONE && s != null && s.kind() == Stop.Kind.BREAKPOINT) {
            reason = until >= 0 && s.pc() == until ? "until" : "breakpoint";
            message = s.message();
        } else if (o.ending() == CpuThreads.Ending.DONE && s != null) {
            reason = "stopped";
            message = s.message();
        } else {
            reason = switch (o.ending()) {
                case DONE -> "instructions";
                case HALTED -> "power-off".equals(o.message()) ? "power-off" : "halted";
                case STOPPED -> "stopped";
                case TIMEOUT -> "timeout";
            };
        }
        r.put("reason", reason);
        r.put("message", message);
        r.put("instructions", c.retired() - before);
        r.put("pc", c.pc());
        rethrow();
        return Json.write(r);
    }

    /**
     * Subscribes {@code deliver} to every vCPU's interrupts ({@code kind} 'exception': called with
     * cpu, vector offset, vector name, SRR0, SRR1) or instructions ('instruction': cpu, pc, word).
     */
    @HostAccess.Export
    public Subscription on(String kind, Value deliver) {
        boolean instructions = kind.equals("instruction");
        CpuObserver[] w = new CpuObserver[m.cpus().size()];
        for (int i = 0; i < w.length; i++) {
            int idx = i;
            w[i] = new CpuObserver() {
                @Override
                public void exception(Cpu cpu, Vector v, long srr0, long srr1) {
                    if (!instructions) {
                        call(deliver, idx, v.offset, v.label, srr0, srr1);
                    }
                }

                @Override
                public void instruction(Cpu cpu, long pc, int word) {
                    call(deliver, idx, pc, word & 0xFFFF_FFFFL);
                }

                @Override
                public boolean wantsInstructions() {
                    return instructions;
                }
            };
            cpu(i).addObserver(w[i]);
        }
        watches.add(w);
        return new Subscription(() -> {
            // off on the machine in place now (a checkpoint may have moved the subscription)
            if (watches.remove(w)) {
                for (int i = 0; i < w.length; i++) {
                    cpu(i).removeObserver(w[i]);
                }
            }
        });
    }

    private void call(Value fn, Object... args) {
        try {
            fn.execute(args);
        } catch (PolyglotException | IllegalStateException | IllegalArgumentException e) {
            if (listenerError == null) {
                listenerError = e;
            }
        }
    }

    /** Bytes the guest reads with H_GET_TERM_CHAR. */
    @HostAccess.Export
    public void typeConsole(String text) {
        m.vty().type(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
