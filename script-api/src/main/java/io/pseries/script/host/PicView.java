package io.pseries.script.host;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;

import io.pseries.core.util.Json;

/**
 * {@code m.pic()} as it crosses to JS: the controller's state captured when the script called
 * (Machine.pic(), rows of boxed scalars that no later machine call changes), handed over in
 * parts. {@link #head()} is the object with its scalar members ({@code mode}) and a
 * {@code null} in place of each list ({@code cpus}, {@code sources}, ...); pseries-api.js makes
 * each list a member that turns into its data, through {@link #part}, the first time the script
 * reads it (JSON.stringify, spreading, assert.deepStrictEqual and console.log read them all).
 * So a script that looks at one list, or only at {@code mode}, never pays for writing and
 * parsing the others: at 4096 vCPUs the whole state is about 1.7 M characters of JSON.
 *
 * <pre>
 *  m.pic() ─► PicView(Machine.pic())  ─► head()        {"mode":"xive","cpus":null,...}, lists()  "cpus,sources,queues"
 *  p.cpus (first read)                ─► part("cpus")  the list's JSON, parsed into plain JS data
 * </pre>
 *
 * <p>Threading: the script's thread.
 */
public final class PicView {
    private final Map<String, Object> pic;

    PicView(Map<String, Object> pic) {
        this.pic = pic;
    }

    /** The top-level object, lists as null (their members are made lazily). */
    @HostAccess.Export
    public String head() {
        Map<String, Object> h = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : pic.entrySet()) {
            h.put(e.getKey(), e.getValue() instanceof Collection<?> ? null : e.getValue());
        }
        return Json.write(h);
    }

    /** The names of the list members, comma-separated, in order. */
    @HostAccess.Export
    public String lists() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : pic.entrySet()) {
            if (e.getValue() instanceof Collection<?>) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                sb.append(e.getKey());
            }
        }
        return sb.toString();
    }

    /** One member's value as JSON. */
    @HostAccess.Export
    public String part(String key) {
        StackHeadroom.require("m.pic()");
        if (!pic.containsKey(key)) {
            throw new IllegalArgumentException("m.pic() has no member '" + key + "'");
        }
        return Json.write(pic.get(key));
    }
}
