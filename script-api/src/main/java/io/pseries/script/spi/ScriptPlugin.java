package io.pseries.script.spi;

import io.pseries.core.Machine;

/**
 * A plugin's addition to the script API, found with {@link java.util.ServiceLoader}. When a
 * script creates a machine to which the plugin applies, the machine object gets a member
 * {@link #name()} whose value is what {@link #bindingSource()} builds.
 *
 * <p>{@link #bindingSource()} is JavaScript evaluating to a function
 * {@code (host, helpers) => object}: {@code host} is {@link #hostFor(Machine)} (only its
 * {@code @HostAccess.Export} members are visible) and {@code helpers} offers
 * {@code int64(v, what)}, {@code small(v, what)}, {@code fromLong(v)}, {@code guard(obj, what)}
 * and {@code parseJson(s)} so plugins follow the API's integer and error conventions. Document
 * every member a plugin adds in {@code pseries.d.ts}.
 */
public interface ScriptPlugin {
    /** The member name on machine objects, e.g. {@code "xive"}. */
    String name();

    boolean appliesTo(Machine m);

    /** The Java object the binding calls. */
    Object hostFor(Machine m);

    /** JavaScript source of {@code (host, helpers) => api}. */
    String bindingSource();
}
