package dev.airlock.platform.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code auth.oidc.NAME.*} (docs/sso.md): the OpenID Connect providers people sign in with. Parsed here so
 * {@link ConfigLoader} only delegates.
 */
public final class OidcConfig {
    private static final Pattern KEY = Pattern.compile(
            "auth\\.oidc\\.([a-z0-9-]{1,40})\\.(issuer|clientId|clientSecret|scopes|usernameClaim|groupsClaim"
                    + "|displayName|presenceAmr|presenceAcr|phishingResistantAmr|phishingResistantAcr|maxSessionAge)");
    private static final Pattern ENV = Pattern.compile(
            "AIRLOCK_AUTH_OIDC_([A-Z0-9]{1,40})_(ISSUER|CLIENT_ID|CLIENT_SECRET|SCOPES|USERNAME_CLAIM|GROUPS_CLAIM"
                    + "|DISPLAY_NAME|PRESENCE_AMR|PRESENCE_ACR|PHISHING_RESISTANT_AMR|PHISHING_RESISTANT_ACR"
                    + "|MAX_SESSION_AGE)");

    private OidcConfig() {}

    /**
     * The {@code amr} values that, by default, count as phishing-resistant (for the "security key required" policy):
     * RFC 8176's hardware-key proof of possession (Okta's FIDO2/WebAuthn), Okta's phishing-resistant ones, and Entra
     * ID's FIDO2 key.
     */
    public static final String PHISHING_RESISTANT_AMR = "hwk phr phrh fido";

    /**
     * One provider. {@code scopes} always contains {@code openid}; {@code presenceAmr} / {@code presenceAcr}: the
     * {@code amr} / {@code acr} values that count as a fresh proof of presence (empty: none does);
     * {@code phishingResistantAmr} / {@code phishingResistantAcr}: those that also satisfy a 'security key
     * required' policy;
     * {@code maxSessionAge}: how long a console session opened through this provider lasts (null: the default).
     */
    public record Provider(
            String name,
            String issuer,
            String clientId,
            String clientSecret,
            List<String> scopes,
            String usernameClaim,
            String groupsClaim,
            String displayName,
            List<String> presenceAmr,
            List<String> presenceAcr,
            List<String> phishingResistantAmr,
            List<String> phishingResistantAcr,
            Duration maxSessionAge) {
        public Provider {
            String at = "auth.oidc." + name;
            if (issuer == null || !issuer.matches("https?://[^\\s?#]+")) {
                throw new IllegalArgumentException(at + ".issuer must be the provider's http(s) issuer URL");
            }
            if (clientId == null || clientId.isBlank()) {
                throw new IllegalArgumentException(at + ".clientId is required");
            }
            if (!scopes.contains("openid")) {
                throw new IllegalArgumentException(at + ".scopes must contain openid");
            }
            if (usernameClaim.isBlank() || groupsClaim.isBlank()) {
                throw new IllegalArgumentException(at + ".usernameClaim and .groupsClaim must not be empty");
            }
            scopes = List.copyOf(scopes);
            presenceAmr = List.copyOf(presenceAmr);
            presenceAcr = List.copyOf(presenceAcr);
            phishingResistantAmr = List.copyOf(phishingResistantAmr);
            phishingResistantAcr = List.copyOf(phishingResistantAcr);
        }

        /** What the sign-in button says: "Sign in with " + this. */
        public String label() {
            return displayName.isBlank() ? name : displayName;
        }

        @Override
        public String toString() {
            return "Provider[" + name + ", " + issuer + ", " + clientId + "]";
        }
    }

    /** Whether {@code key} is one of the per-provider keys. */
    static boolean known(String key) {
        return KEY.matcher(key).matches();
    }

    /** AIRLOCK_AUTH_OIDC_NAME_CLIENT_ID and so on: the configuration key, or null. */
    static String fromEnv(String variable) {
        Matcher m = ENV.matcher(variable);
        if (!m.matches()) {
            return null;
        }
        String[] words = m.group(2).toLowerCase(Locale.ROOT).split("_");
        StringBuilder field = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            field.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return "auth.oidc." + m.group(1).toLowerCase(Locale.ROOT) + "." + field;
    }

    static List<Provider> providers(Map<String, String> v) {
        SortedSet<String> names = new TreeSet<>();
        for (String key : v.keySet()) {
            Matcher m = KEY.matcher(key);
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        List<Provider> out = new ArrayList<>();
        for (String name : names) {
            String p = "auth.oidc." + name + ".";
            String age = v.getOrDefault(p + "maxSessionAge", "").trim();
            out.add(new Provider(
                    name,
                    v.get(p + "issuer"),
                    v.get(p + "clientId"),
                    v.getOrDefault(p + "clientSecret", ""),
                    words(v.getOrDefault(p + "scopes", "openid profile email")),
                    v.getOrDefault(p + "usernameClaim", "preferred_username").trim(),
                    v.getOrDefault(p + "groupsClaim", "groups").trim(),
                    v.getOrDefault(p + "displayName", "").trim(),
                    words(v.getOrDefault(p + "presenceAmr", "")),
                    words(v.getOrDefault(p + "presenceAcr", "")),
                    words(v.getOrDefault(p + "phishingResistantAmr", PHISHING_RESISTANT_AMR)),
                    words(v.getOrDefault(p + "phishingResistantAcr", "")),
                    age.isEmpty() ? null : duration(p + "maxSessionAge", age)));
        }
        return List.copyOf(out);
    }

    /** A list written with spaces or commas between its words (a YAML list arrives joined with commas). */
    private static List<String> words(String raw) {
        return Arrays.stream(raw.split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }

    private static Duration duration(String key, String raw) {
        try {
            Duration d = Duration.parse(raw);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(key + " must be positive");
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(key + " must be an ISO-8601 duration such as PT8H, not " + raw, e);
        }
    }
}
