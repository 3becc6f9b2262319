package dev.airlock.mailcheck;

import dev.airlock.platform.db.Database;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The mail domains of the users who maintain at least one package, each with how many such maintainers use it. */
final class JdbiMaintainerDomains {
    private JdbiMaintainerDomains() {}

    static Map<String, Integer> of(Database db) {
        Map<String, Integer> out = new TreeMap<>();
        db.read(tx -> {
            tx.handle()
                    .createQuery("SELECT u.email FROM users u WHERE EXISTS"
                            + " (SELECT 1 FROM maintainers m WHERE m.user_name = u.name)")
                    .mapTo(String.class)
                    .forEach(email -> {
                        int at = email == null ? -1 : email.lastIndexOf('@');
                        if (at > 0 && at < email.length() - 1) {
                            out.merge(email.substring(at + 1).trim().toLowerCase(Locale.ROOT), 1, Integer::sum);
                        }
                    });
            return null;
        });
        return out;
    }
}
