package io.pseries.testscripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.pseries.script.cli.Main;
import picocli.CommandLine;

/**
 * docs/ci.md: its GitHub Actions and GitLab CI pipelines are YAML a parser accepts, with the
 * structure each CI expects, and every ./pseries and ./run-tests command they run exists with
 * the options given (parsed by the real command line, not executed).
 */
class CiRecipesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The YAML blocks of docs/ci.md, keyed by the file each one is (the comment before it). */
    static Map<String, Object> pipelines() throws IOException {
        String md = Files.readString(ROOT.resolve("docs/ci.md"));
        Matcher m = Pattern.compile("<!-- file: (\\S+) -->\\s*```yaml\\n(.*?)```", Pattern.DOTALL).matcher(md);
        Map<String, Object> out = new LinkedHashMap<>();
        while (m.find()) {
            out.put(m.group(1), new Yaml().load(m.group(2)));
        }
        return out;
    }

    @Test
    void bothPipelinesParseWithTheStructureTheirCiReads() throws IOException {
        Map<String, Object> p = pipelines();
        assertEquals(Set.of(".github/workflows/pseries.yml", ".gitlab-ci.yml"), p.keySet());
        Map<?, ?> gh = (Map<?, ?>) p.get(".github/workflows/pseries.yml");
        Map<?, ?> jobs = (Map<?, ?>) gh.get("jobs");
        for (Object job : jobs.values()) {
            Map<?, ?> j = (Map<?, ?>) job;
            assertTrue(j.get("runs-on") instanceof String && j.get("steps") instanceof List<?>, j.toString());
        }
        Map<?, ?> gl = (Map<?, ?>) p.get(".gitlab-ci.yml");
        List<?> stages = (List<?>) gl.get("stages");
        for (String job : List.of("tests", "js-suite")) {
            Map<?, ?> j = (Map<?, ?>) gl.get(job);
            assertTrue(stages.contains(j.get("stage")) && j.get("script") instanceof List<?>, job);
            assertEquals("always", ((Map<?, ?>) j.get("artifacts")).get("when"), job + " keeps artifacts of failures");
        }
    }

    /** Every shell line the pipelines run. */
    static List<String> shellLines(Object node) {
        List<String> out = new ArrayList<>();
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = String.valueOf(e.getKey());
                if ((k.equals("run") || k.equals("script") || k.equals("before_script")) && e.getValue() instanceof String s) {
                    out.addAll(s.lines().toList());
                } else if ((k.equals("script") || k.equals("before_script")) && e.getValue() instanceof List<?> l) {
                    l.forEach(x -> out.add(String.valueOf(x)));
                } else {
                    out.addAll(shellLines(e.getValue()));
                }
            }
        } else if (node instanceof List<?> l) {
            l.forEach(x -> out.addAll(shellLines(x)));
        }
        return out;
    }

    /** The words of a simple command, CI variables replaced by a sample value. */
    static List<String> words(String cmd) {
        String c = cmd.replaceAll("\\$\\{\\{\\s*matrix\\.shard\\s*}}", "1").replace("$CI_NODE_INDEX", "1").replace("$CI_NODE_TOTAL", "2");
        List<String> w = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(c);
        while (m.find()) {
            w.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return w;
    }

    @Test
    void everyPseriesAndRunTestsCommandExistsWithItsOptions() throws IOException {
        int pseries = 0;
        int runTests = 0;
        for (Object pipeline : pipelines().values()) {
            for (String line : shellLines(pipeline)) {
                for (String cmd : line.split("&&|;|\\|")) {
                    List<String> w = words(cmd.strip());
                    if (w.isEmpty()) {
                        continue;
                    }
                    if (w.get(0).equals("./pseries")) {
                        pseries++;
                        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
                        CommandLine.ParseResult r = cl.parseArgs(w.subList(1, w.size()).toArray(String[]::new));
                        assertTrue(r.hasSubcommand(), cmd);
                        CommandLine.ParseResult sub = r.subcommand();
                        assertTrue(sub.unmatched().isEmpty(), "unknown words in " + cmd + ": " + sub.unmatched());
                        for (String p : sub.matchedPositionals().stream().flatMap(x -> x.stringValues().stream()).toList()) {
                            if (!sub.commandSpec().name().equals("run") || p.endsWith(".js")) {
                                assertTrue(Files.exists(ROOT.resolve(p)), "a path the command names exists: " + p + " in " + cmd);
                            }
                        }
                        if (w.contains("--shard")) {
                            io.pseries.script.test.Shard.parse(w.get(w.indexOf("--shard") + 1));
                        }
                    } else if (w.get(0).equals("./run-tests")) {
                        runTests++;
                        assertTrue(w.subList(1, w.size()).stream().allMatch(x -> x.equals("-v")), "run-tests takes -v or Maven arguments: " + cmd);
                        assertTrue(Files.isExecutable(ROOT.resolve("run-tests")));
                    }
                }
            }
        }
        assertTrue(pseries >= 4 && runTests >= 2, pseries + " pseries and " + runTests + " run-tests commands");
    }
}
