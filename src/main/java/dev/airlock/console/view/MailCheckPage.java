package dev.airlock.console.view;

import dev.airlock.mailcheck.MailReport;
import java.util.Map;

/**
 * The admins' mail-domain page: the domains a check covers (domain → why), and the report once the check ran (null
 * before).
 */
public record MailCheckPage(Map<String, String> domains, MailReport report) {
    /** The CSS class of a verdict's marker. */
    public static String marker(dev.airlock.mailcheck.Verdict v) {
        return switch (v) {
            case PASS -> "risk risk-quiet";
            case WARN -> "risk risk-medium";
            case FAIL -> "risk risk-high";
        };
    }
}
