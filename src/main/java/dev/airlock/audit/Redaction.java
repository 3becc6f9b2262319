package dev.airlock.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A last guard for event details: callers never put a secret in one, but should a token value ({@code npm_…}) or a
 * field named like a secret slip in, the entry carries {@code [redacted]} instead. Keys are sorted (canonical form).
 */
final class Redaction {
    static final String REDACTED = "[redacted]";
    private static final Pattern TOKEN = Pattern.compile("npm_[A-Za-z0-9]{16,}");
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i).*(password|secret|otp|idtoken|id_token|recoverycode|recovery_code|authorization).*");

    private Redaction() {}

    static Map<String, Object> clean(Map<String, ?> detail) {
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, ?> e : detail.entrySet()) {
            out.put(e.getKey(), SECRET_KEY.matcher(e.getKey()).matches() ? REDACTED : value(e.getValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object value(Object v) {
        if (v instanceof String s) {
            return TOKEN.matcher(s).find() ? TOKEN.matcher(s).replaceAll(REDACTED) : s;
        }
        if (v instanceof Map<?, ?> m) {
            return clean((Map<String, ?>) m);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                out.add(value(o));
            }
            return out;
        }
        return v;
    }
}
