package dev.airlock;

import dev.airlock.audit.AuditEvent;
import dev.airlock.audit.AuditFilter;
import dev.airlock.audit.AuditQueryService;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code airlock audit tail|query}: reading the audit log from the data directory, as the operator (who sees every
 * event), with the filters of {@code GET /-/airlock/v1/audit} (docs/audit.md, "Query").
 */
final class AuditReadCommands {
    private AuditReadCommands() {}

    /** The filter options both commands share. */
    static final class Filters {
        @Option(names = "--package", paramLabel = "NAME", description = "events of this package")
        String pkg;

        @Option(names = "--actor", paramLabel = "USER", description = "events by this user")
        String actor;

        @Option(
                names = "--action",
                paramLabel = "ACTION",
                description = "this action (package.publish) or family (package.*)")
        String action;

        @Option(
                names = "--since",
                paramLabel = "TIME",
                description = "from this time: 2025-01-31T12:00:00Z, 2025-01-31, 2h")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "before this time")
        String until;

        AuditFilter filter(AuditQueryService query, Long after, int limit) {
            Map<String, String> p = new HashMap<>();
            p.put("package", pkg);
            p.put("actor", actor);
            p.put("action", action);
            p.put("since", since);
            p.put("until", until);
            p.put("after", after == null ? null : after.toString());
            p.put("limit", Integer.toString(limit));
            return query.filter(p::get);
        }
    }

    /** One line per event: index, time, outcome, actor, action, target, detail. */
    static String line(AuditEvent e) {
        return String.format(
                        "%-6d %s %-7s %-22s %-22s %s  %s",
                        e.seq(),
                        Instant.ofEpochMilli(e.at()).truncatedTo(ChronoUnit.SECONDS),
                        e.outcome(),
                        e.actor(),
                        e.action(),
                        e.target(),
                        AuditQueryService.detailLine(e, 100))
                .stripTrailing();
    }

    @Command(
            name = "tail",
            description = "Print the newest events, one line each; with -f keep printing new ones as they are logged.")
    static final class Tail implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Mixin
        Filters filters;

        @Option(
                names = {"-n", "--lines"},
                paramLabel = "N",
                description = "how many of the newest events (default 20)")
        int lines = 20;

        @Option(
                names = {"-f", "--follow"},
                description = "keep printing new events until interrupted")
        boolean follow;

        @Option(names = "--interval", paramLabel = "MS", description = "how often -f looks (default 1000 ms)")
        long interval = 1000;

        @Option(names = "--exit-after", hidden = true, description = "with -f: stop after this many new events")
        Integer exitAfter;

        @Override
        public Integer call() throws InterruptedException {
            PrintStream out = System.out;
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                AuditQueryService query = airlock.auditQuery;
                Actor operator = Actor.operator();
                Long after = null;
                if (lines > 0) {
                    List<AuditEvent> newest = query.newest(operator, filters.filter(query, null, lines));
                    newest.forEach(e -> out.println(line(e)));
                    after = newest.isEmpty()
                            ? null
                            : newest.get(newest.size() - 1).seq();
                }
                if (!follow) {
                    return 0;
                }
                if (after == null) {
                    long size = airlock.audit.integrate();
                    after = size == 0 ? null : size - 1;
                }
                int seen = 0;
                while (exitAfter == null || seen < exitAfter) {
                    AuditQueryService.Page page =
                            query.query(operator, filters.filter(query, after, AuditFilter.MAX_LIMIT));
                    for (AuditEvent e : page.events()) {
                        out.println(line(e));
                        after = e.seq();
                        seen++;
                    }
                    out.flush();
                    if (page.next() == null && (exitAfter == null || seen < exitAfter)) {
                        Thread.sleep(Math.max(10, interval));
                    }
                }
            }
            return 0;
        }
    }

    @Command(
            name = "query",
            description = "Print the events matching the filters in log order, a page at a time (--after continues).")
    static final class Query implements Callable<Integer> {
        @Mixin
        Airlock.Common common;

        @Mixin
        Filters filters;

        @Option(names = "--after", paramLabel = "INDEX", description = "only events after this log index")
        Long after;

        @Option(names = "--limit", paramLabel = "N", description = "at most N events (default 100, at most 1000)")
        int limit = AuditFilter.DEFAULT_LIMIT;

        @Option(
                names = "--json",
                description = "print {\"events\": [...], \"next\": INDEX or null} as the HTTP API does")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                AuditQueryService query = airlock.auditQuery;
                AuditQueryService.Page page = query.query(Actor.operator(), filters.filter(query, after, limit));
                if (json) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put(
                            "events",
                            page.events().stream().map(AuditQueryService::json).toList());
                    out.put("next", page.next());
                    System.out.println(Json.write(out));
                } else {
                    page.events().forEach(e -> System.out.println(line(e)));
                    if (page.next() != null) {
                        spec.commandLine()
                                .getErr()
                                .println("airlock: more events follow: run again with --after " + page.next());
                    }
                }
            }
            return 0;
        }
    }
}
