package dev.airlock.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code airlock verify} found: one row per package, one cell per check; rendered as a table or as JSON. */
public record Report(String registry, List<Row> rows, int elsewhere, List<String> warnings) {
    static final List<String> CHECKS = List.of("signature", "provenance", "approval", "log", "policy");

    /** One check's outcome: {@code ok}, {@code fail} with the reason, or {@code n/a} (not applicable). */
    public record Check(String result, String reason) {
        static final Check OK = new Check("ok", null);
        static final Check NA = new Check("n/a", null);

        static Check fail(String reason) {
            return new Check("fail", reason);
        }

        boolean failed() {
            return result.equals("fail");
        }

        String cell() {
            return switch (result) {
                case "ok" -> "ok";
                case "fail" -> "FAIL: " + reason;
                default -> "\u2014";
            };
        }
    }

    /** One package version and its checks, keyed by the names in {@link #CHECKS}. */
    public record Row(String name, String version, Map<String, Check> checks) {
        boolean failed() {
            return checks.values().stream().anyMatch(Check::failed);
        }
    }

    public boolean ok() {
        return rows.stream().noneMatch(Row::failed);
    }

    public String table() {
        List<List<String>> lines = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("PACKAGE", "VERSION"));
        CHECKS.forEach(c -> head.add(c.toUpperCase(java.util.Locale.ROOT)));
        lines.add(head);
        for (Row r : rows) {
            List<String> line = new ArrayList<>(List.of(r.name(), r.version()));
            CHECKS.forEach(c -> line.add(r.checks().get(c).cell()));
            lines.add(line);
        }
        int[] width = new int[head.size()];
        for (List<String> l : lines) {
            for (int i = 0; i < l.size(); i++) {
                width[i] = Math.max(width[i], l.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> l : lines) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < l.size(); i++) {
                s.append(i == l.size() - 1 ? l.get(i) : pad(l.get(i), width[i] + 2));
            }
            out.append(s.toString().stripTrailing()).append('\n');
        }
        long failed = rows.stream().filter(Row::failed).count();
        out.append('\n')
                .append(rows.size())
                .append(" package(s) from ")
                .append(registry)
                .append(" checked: ")
                .append(rows.size() - failed)
                .append(" passed, ")
                .append(failed)
                .append(" failed");
        if (elsewhere > 0) {
            out.append("; ").append(elsewhere).append(" resolved elsewhere, not checked");
        }
        out.append('\n');
        for (Row r : rows) {
            for (String c : CHECKS) {
                Check k = r.checks().get(c);
                if (k.failed()) {
                    out.append("FAIL ")
                            .append(r.name())
                            .append('@')
                            .append(r.version())
                            .append(' ')
                            .append(c)
                            .append(": ")
                            .append(k.reason())
                            .append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    public ObjectNode json(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("registry", registry);
        root.put("ok", ok());
        ArrayNode packages = root.putArray("packages");
        for (Row r : rows) {
            ObjectNode p = packages.addObject();
            p.put("name", r.name());
            p.put("version", r.version());
            ObjectNode checks = p.putObject("checks");
            for (String c : CHECKS) {
                Check k = r.checks().get(c);
                ObjectNode o = checks.putObject(c);
                o.put("result", k.result());
                if (k.reason() != null) {
                    o.put("reason", k.reason());
                }
            }
        }
        long failed = rows.stream().filter(Row::failed).count();
        ObjectNode summary = root.putObject("summary");
        summary.put("checked", rows.size());
        summary.put("passed", rows.size() - failed);
        summary.put("failed", failed);
        summary.put("elsewhere", elsewhere);
        ArrayNode w = root.putArray("warnings");
        warnings.forEach(w::add);
        return root;
    }

    static Map<String, Check> emptyChecks() {
        Map<String, Check> m = new LinkedHashMap<>();
        CHECKS.forEach(c -> m.put(c, Check.NA));
        return m;
    }
}
