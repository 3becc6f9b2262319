package dev.airlock.platform.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code notifications.*} (docs/notifications.md): retry rules, the SMTP server and DKIM key mail goes out with, and
 * the webhooks. Parsed here so {@link ConfigLoader} only delegates.
 */
public record NotificationsConfig(
        int maxAttempts,
        int backoffSeconds,
        int maxBackoffSeconds,
        int disableAfterFailures,
        Smtp smtp,
        List<Webhook> webhooks) {

    public NotificationsConfig {
        if (maxAttempts < 1 || backoffSeconds < 1 || maxBackoffSeconds < backoffSeconds || disableAfterFailures < 1) {
            throw new IllegalArgumentException("notifications.maxAttempts, .backoffSeconds and .disableAfterFailures"
                    + " must be at least 1, and .maxBackoffSeconds at least .backoffSeconds");
        }
        webhooks = List.copyOf(webhooks);
        if (webhooks.stream().map(Webhook::name).distinct().count() != webhooks.size()) {
            throw new IllegalArgumentException("notifications.webhooks: two webhooks have the same name");
        }
    }

    /**
     * The SMTP server ({@code host} empty = no mail). {@code starttls}: required (default: refuse to send in clear),
     * optional (upgrade when offered), off. DKIM signs every message when domain, selector and key file are set.
     */
    public record Smtp(
            String host,
            int port,
            String username,
            String password,
            String starttls,
            String from,
            int timeoutSeconds,
            String dkimDomain,
            String dkimSelector,
            String dkimKeyFile,
            String caFile) {
        public Smtp {
            if (!List.of("required", "optional", "off").contains(starttls)) {
                throw new IllegalArgumentException("notifications.smtp.starttls must be required, optional or off");
            }
            if (!host.isEmpty() && !from.contains("@")) {
                throw new IllegalArgumentException("notifications.smtp.from must be a mail address when .host is set");
            }
            boolean any = !dkimDomain.isEmpty() || !dkimSelector.isEmpty() || !dkimKeyFile.isEmpty();
            boolean all = !dkimDomain.isEmpty() && !dkimSelector.isEmpty() && !dkimKeyFile.isEmpty();
            if (any && !all) {
                throw new IllegalArgumentException(
                        "notifications.dkim needs domain, selector and privateKeyFile together");
            }
        }

        public boolean enabled() {
            return !host.isEmpty();
        }

        public boolean dkim() {
            return !dkimKeyFile.isEmpty();
        }

        /** Never the password: configurations are logged and printed. */
        @Override
        public String toString() {
            return "Smtp[" + host + ":" + port + ", starttls=" + starttls + ", dkim=" + dkimDomain + "]";
        }
    }

    /**
     * A webhook: POSTs JSON ({@code format} generic or pagerduty) signed with {@code secret}; {@code events} are the
     * kinds it receives ({@code stage.created}, {@code alert.*}; empty = all). {@code routingKey} is PagerDuty's
     * integration key.
     */
    public record Webhook(
            String name, String url, String secret, String format, List<String> events, String routingKey) {
        public Webhook {
            if (!name.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
                throw new IllegalArgumentException("a webhook name is lower-case letters, digits, - and _: " + name);
            }
            if (!url.matches("https?://[^/\\s?#]+(/\\S*)?")) {
                throw new IllegalArgumentException("webhook " + name + " needs an absolute http(s) url");
            }
            if (!format.equals("generic") && !format.equals("pagerduty")) {
                throw new IllegalArgumentException("webhook " + name + ": format must be generic or pagerduty");
            }
            if (secret.length() < 16) {
                throw new IllegalArgumentException("webhook " + name + " needs a secret of at least 16 characters");
            }
            if (format.equals("pagerduty") && routingKey.isEmpty()) {
                throw new IllegalArgumentException("webhook " + name + " (pagerduty) needs a routingKey");
            }
            events = List.copyOf(events);
        }

        /** Whether this webhook receives notifications of this kind. */
        public boolean wants(String kind) {
            return events.isEmpty()
                    || events.stream()
                            .anyMatch(e -> e.equals("*")
                                    || e.equals(kind)
                                    || e.endsWith("*") && kind.startsWith(e.substring(0, e.length() - 1)));
        }

        @Override
        public String toString() {
            return "Webhook[" + name + ", " + url + ", " + format + ", events=" + events + "]";
        }
    }

    /** An entry of notifications.webhooks, numbered from 1. */
    static final Pattern WEBHOOK_KEY =
            Pattern.compile("notifications\\.webhooks\\.([1-9]\\d{0,2})\\.(name|url|secret|format|events|routingKey)");

    private static final Pattern WEBHOOK_ENV =
            Pattern.compile("AIRLOCK_NOTIFICATIONS_WEBHOOKS_(\\d{1,3})_(NAME|URL|SECRET|FORMAT|EVENTS|ROUTING_KEY)");

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("notifications.maxAttempts", "12");
        d.put("notifications.backoffSeconds", "30");
        d.put("notifications.maxBackoffSeconds", "3600");
        d.put("notifications.disableAfterFailures", "10");
        d.put("notifications.smtp.host", "");
        d.put("notifications.smtp.port", "587");
        d.put("notifications.smtp.username", "");
        d.put("notifications.smtp.password", "");
        d.put("notifications.smtp.starttls", "required");
        d.put("notifications.smtp.from", "");
        d.put("notifications.smtp.timeoutSeconds", "30");
        d.put("notifications.smtp.caFile", "");
        d.put("notifications.dkim.domain", "");
        d.put("notifications.dkim.selector", "");
        d.put("notifications.dkim.privateKeyFile", "");
        return d;
    }

    static boolean known(String key) {
        return WEBHOOK_KEY.matcher(key).matches();
    }

    /** AIRLOCK_NOTIFICATIONS_WEBHOOKS_N_FIELD → notifications.webhooks.N.field, or null. */
    static String fromEnv(String name) {
        Matcher m = WEBHOOK_ENV.matcher(name);
        if (!m.matches()) {
            return null;
        }
        String field =
                m.group(2).equals("ROUTING_KEY") ? "routingKey" : m.group(2).toLowerCase(Locale.ROOT);
        return "notifications.webhooks." + Integer.parseInt(m.group(1)) + "." + field;
    }

    /** notifications.webhooks in YAML: a list of mappings, returned as notifications.webhooks.N → mapping. */
    static Map<String, Object> entries(Object node, Path file) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!(node instanceof List<?> list)) {
            throw new IllegalArgumentException("notifications.webhooks in " + file + " takes a list of webhooks, each"
                    + " with name, url, secret, format and events (see docs/notifications.md)");
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(
                        "notifications.webhooks in " + file + ": entry " + (i + 1) + " is not a mapping");
            }
            out.put("notifications.webhooks." + (i + 1), list.get(i));
        }
        return out;
    }

    static NotificationsConfig from(Map<String, String> v) {
        Smtp smtp = new Smtp(
                v.get("notifications.smtp.host").trim(),
                num(v, "notifications.smtp.port"),
                v.get("notifications.smtp.username"),
                v.get("notifications.smtp.password"),
                v.get("notifications.smtp.starttls").trim(),
                v.get("notifications.smtp.from").trim(),
                num(v, "notifications.smtp.timeoutSeconds"),
                v.get("notifications.dkim.domain").trim(),
                v.get("notifications.dkim.selector").trim(),
                v.get("notifications.dkim.privateKeyFile").trim(),
                v.get("notifications.smtp.caFile").trim());
        return new NotificationsConfig(
                num(v, "notifications.maxAttempts"),
                num(v, "notifications.backoffSeconds"),
                num(v, "notifications.maxBackoffSeconds"),
                num(v, "notifications.disableAfterFailures"),
                smtp,
                webhooks(v));
    }

    private static List<Webhook> webhooks(Map<String, String> v) {
        SortedSet<Integer> numbers = new TreeSet<>();
        for (String key : v.keySet()) {
            Matcher m = WEBHOOK_KEY.matcher(key);
            if (m.matches()) {
                numbers.add(Integer.parseInt(m.group(1)));
            }
        }
        List<Webhook> out = new ArrayList<>();
        for (int n : numbers) {
            if (n != out.size() + 1) {
                throw new IllegalArgumentException("notifications.webhooks entry " + (out.size() + 1)
                        + " is missing (entries are numbered from 1 without gaps)");
            }
            String p = "notifications.webhooks." + n + ".";
            List<String> events = new ArrayList<>();
            for (String e : v.getOrDefault(p + "events", "").split("[,\\s]+")) {
                if (!e.isEmpty()) {
                    events.add(e);
                }
            }
            out.add(new Webhook(
                    v.getOrDefault(p + "name", "").trim(),
                    v.getOrDefault(p + "url", "").trim(),
                    v.getOrDefault(p + "secret", ""),
                    v.getOrDefault(p + "format", "generic").trim(),
                    events,
                    v.getOrDefault(p + "routingKey", "").trim()));
        }
        return out;
    }

    private static int num(Map<String, String> v, String key) {
        try {
            return Integer.parseInt(v.get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got \"" + v.get(key) + "\"");
        }
    }
}
