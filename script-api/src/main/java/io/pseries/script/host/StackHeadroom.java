package io.pseries.script.host;

/**
 * Refuses to start a large host operation (creating or booting a machine, CAS, reset, the device
 * tree) when the Java stack is nearly exhausted, as it is at the bottom of a runaway JS
 * recursion. Without the check such an operation could overflow inside a JDK or Truffle class
 * being initialized for the first time, which poisons that class for the rest of the JVM
 * ("Could not initialize class ..."). With it, the script gets the RangeError JS throws for a
 * stack overflow, and nothing has been touched.
 *
 * <p>How: a recursion of fixed depth with live locals uses a known amount of stack; if it
 * overflows, there is not enough room. It costs microseconds, so it guards only calls that cost
 * far more than that, never the hcall/MMIO hot paths.
 *
 * <p>Threading: any thread; stateless.
 */
public final class StackHeadroom {
    /** Frames of the probe: about 200-400 KiB of stack, what a boot with listeners needs at most. */
    private static final int PROBE_FRAMES = 1500;

    private StackHeadroom() {
    }

    /** Throws a RangeError-mapped exception when less than the probe's stack is left. */
    public static void require(String what) {
        boolean ok;
        try {
            ok = probe(PROBE_FRAMES, 1, 2, 3, 4, 5, 6, 7, 8) != 0;
        } catch (StackOverflowError e) {
            ok = false;
        }
        if (!ok) {
            throw new HostErrors.RunawayRecursion(HostErrors.STACK_OVERFLOW + " (not enough stack left for " + what + ")");
        }
    }

    private static long probe(int n, long a, long b, long c, long d, long e, long f, long g, long h) {
        if (n == 0) {
            return a + b + c + d + e + f + g + h + 1;
        }
        // the locals stay live across the call, so every frame keeps its slots
        long r = probe(n - 1, b, c, d, e, f, g, h, a);
        return r + (a ^ h) - (a ^ h);
    }
}
