package dev.airlock.platform.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code alerts.*} (docs/audit.md, "Alerts"): which alert rules run and their thresholds. Every rule is on by default;
 * {@code enabled: false} turns one off. Parsed here so {@link ConfigLoader} only delegates.
 */
public record AlertsConfig(
        int intervalSeconds,
        StageWaiting stageWaiting,
        Rule publishedWithoutApproval,
        Rule newPublisher,
        Rule policyWeakened,
        NewMaintainer newMaintainerApproval,
        Burst burst) {

    /** The defaults, for configurations built without {@code alerts.*}. */
    public static final AlertsConfig DEFAULT = from(defaults());

    /** A rule with no threshold. */
    public record Rule(boolean enabled) {}

    /** A staged version waiting for approval: remind the approvers, then escalate (users in {@code escalateTo} too). */
    public record StageWaiting(
            boolean enabled, int remindAfterMinutes, int escalateAfterMinutes, List<String> escalateTo) {
        public StageWaiting {
            escalateTo = List.copyOf(escalateTo);
        }
    }

    /** An approval by a maintainer added less than {@code days} ago. */
    public record NewMaintainer(boolean enabled, int days) {}

    /** More than {@code threshold} failures of one kind within {@code windowMinutes}. */
    public record Burst(boolean enabled, int threshold, int windowMinutes) {}

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("alerts.intervalSeconds", "10");
        d.put("alerts.stageWaiting.enabled", "true");
        d.put("alerts.stageWaiting.remindAfterMinutes", "15");
        d.put("alerts.stageWaiting.escalateAfterMinutes", "30");
        d.put("alerts.stageWaiting.escalateTo", "");
        d.put("alerts.publishedWithoutApproval.enabled", "true");
        d.put("alerts.newPublisher.enabled", "true");
        d.put("alerts.policyWeakened.enabled", "true");
        d.put("alerts.newMaintainerApproval.enabled", "true");
        d.put("alerts.newMaintainerApproval.days", "7");
        d.put("alerts.burst.enabled", "true");
        d.put("alerts.burst.threshold", "10");
        d.put("alerts.burst.windowMinutes", "5");
        return d;
    }

    /** Keys whose value is a list (a YAML list or one comma-separated string). */
    static boolean isList(String key) {
        return key.equals("alerts.stageWaiting.escalateTo");
    }

    static AlertsConfig from(Map<String, String> v) {
        int remind = num(v, "alerts.stageWaiting.remindAfterMinutes", 1);
        int escalate = num(v, "alerts.stageWaiting.escalateAfterMinutes", 1);
        if (escalate <= remind) {
            throw new IllegalArgumentException("alerts.stageWaiting.escalateAfterMinutes (" + escalate
                    + ") must be greater than alerts.stageWaiting.remindAfterMinutes (" + remind + ")");
        }
        List<String> escalateTo = new ArrayList<>();
        for (String u : v.get("alerts.stageWaiting.escalateTo").split("[,\\s]+")) {
            if (u.isEmpty()) {
                continue;
            }
            if (!u.matches("[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}")) {
                throw new IllegalArgumentException(
                        "alerts.stageWaiting.escalateTo takes user names (their mail addresses receive the"
                                + " escalation), got \"" + u + "\"");
            }
            escalateTo.add(u);
        }
        return new AlertsConfig(
                num(v, "alerts.intervalSeconds", 1),
                new StageWaiting(bool(v, "alerts.stageWaiting.enabled"), remind, escalate, escalateTo),
                new Rule(bool(v, "alerts.publishedWithoutApproval.enabled")),
                new Rule(bool(v, "alerts.newPublisher.enabled")),
                new Rule(bool(v, "alerts.policyWeakened.enabled")),
                new NewMaintainer(
                        bool(v, "alerts.newMaintainerApproval.enabled"),
                        num(v, "alerts.newMaintainerApproval.days", 1)),
                new Burst(
                        bool(v, "alerts.burst.enabled"),
                        num(v, "alerts.burst.threshold", 1),
                        num(v, "alerts.burst.windowMinutes", 1)));
    }

    private static int num(Map<String, String> v, String key, int min) {
        int n;
        try {
            n = Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got \"" + v.get(key) + "\"");
        }
        if (n < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", got " + n);
        }
        return n;
    }

    private static boolean bool(Map<String, String> v, String key) {
        String s = v.get(key).trim().toLowerCase(Locale.ROOT);
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got \"" + v.get(key) + "\"");
        }
        return Boolean.parseBoolean(s);
    }
}
