package io.pseries.script.host;

import org.graalvm.polyglot.HostAccess;

/**
 * A listener's subscription, as {@code m.on} and the vCPU events hand it to the API's JS half;
 * {@link #unsubscribe()} ends it.
 *
 * <p>Threading: the script's thread.
 */
public final class Subscription {
    private final Runnable off;

    Subscription(Runnable off) {
        this.off = off;
    }

    @HostAccess.Export
    public void unsubscribe() {
        off.run();
    }
}
