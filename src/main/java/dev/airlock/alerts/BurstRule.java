package dev.airlock.alerts;

import dev.airlock.platform.config.AlertsConfig;
import dev.airlock.shared.Actor;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code burst}: more than {@code threshold} failures of one kind within the last {@code windowMinutes} — OIDC
 * exchange denials, wrong second-factor codes, password failures — fires; the case (the kind) resolves when the
 * window's count drops below the threshold, and may fire again later.
 */
final class BurstRule {
    static final String RULE = "burst";

    /** The kinds of failure, each with the audit actions (outcome failure) it counts. */
    static final Map<String, List<String>> KINDS = Map.of(
            "oidc-denials", List.of("oidc.exchange"),
            "wrong-codes", List.of("tfa.failure", "tfa.confirm", "tfa.replay", "tfa.key-failure"),
            "password-failures",
                    List.of(
                            "user.login",
                            "user.basic-auth",
                            "user.password-check",
                            "user.password",
                            "console.sign-in"));

    private static final Map<String, String> WORDS = Map.of(
            "oidc-denials", "OIDC exchange denials",
            "wrong-codes", "wrong two-factor codes",
            "password-failures", "password failures");

    private final AlertService alerts;
    private final JdbiAlertStore store;
    private final Supplier<List<String>> admins;
    private final AlertsConfig.Burst config;
    private final Clock clock;

    BurstRule(
            AlertService alerts,
            JdbiAlertStore store,
            Supplier<List<String>> admins,
            AlertsConfig.Burst config,
            Clock clock) {
        this.alerts = alerts;
        this.store = store;
        this.admins = admins;
        this.config = config;
        this.clock = clock;
    }

    int evaluate() {
        long now = clock.millis();
        long since = now - Duration.ofMinutes(config.windowMinutes()).toMillis();
        List<String> actions =
                KINDS.values().stream().flatMap(List::stream).sorted().toList();
        Map<String, Integer> perAction = alerts.db().read(tx -> store.failures(tx, actions, since));
        java.util.Set<String> firing = new java.util.HashSet<>();
        alerts.db().read(tx -> store.firing(tx, RULE)).forEach(a -> firing.add(a.caseKey()));
        int changes = 0;
        for (Map.Entry<String, List<String>> kind : KINDS.entrySet()) {
            int count = kind.getValue().stream()
                    .mapToInt(a -> perAction.getOrDefault(a, 0))
                    .sum();
            String key = kind.getKey();
            if (count > config.threshold() && !firing.contains(key)) {
                changes += alerts.db().write(tx -> alerts.fire(tx, firing(key, count), true) ? 1 : 0);
            } else if (count < config.threshold() && firing.contains(key)) {
                String why = count + " in the last " + config.windowMinutes() + " minutes, below " + config.threshold();
                changes += alerts.db().write(tx -> {
                    Alert a = store.find(tx, RULE, key);
                    return a != null && alerts.resolve(tx, a, Actor.operator(), why) ? 1 : 0;
                });
            }
        }
        return changes;
    }

    private Firing firing(String kind, int count) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", kind);
        data.put("count", count);
        data.put("windowMinutes", config.windowMinutes());
        data.put("threshold", config.threshold());
        data.put("actions", KINDS.get(kind));
        String what = WORDS.get(kind);
        return new Firing(
                RULE,
                kind,
                "registry",
                "alert",
                "warning",
                "Burst of " + what + ": " + count + " in " + config.windowMinutes() + " minutes",
                count + " " + what + " in the last " + config.windowMinutes() + " minutes (more than "
                        + config.threshold() + "). Someone may be guessing credentials or a pipeline is"
                        + " misconfigured: see `./airlock audit query --action ACTION` for the attempts.",
                data,
                admins.get());
    }
}
