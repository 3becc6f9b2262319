package dev.airlock.packages;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** npm deprecate / undeprecate: only the deprecation messages of existing published versions change. */
public final class Deprecation {
    private final PackageRows rows;
    private final Database db;
    private final PackageStore store;
    private final AuditService audit;
    private final Clock clock;

    Deprecation(PackageRows rows) {
        this.rows = rows;
        this.db = rows.db;
        this.store = rows.store;
        this.audit = rows.audit;
        this.clock = rows.clock;
    }

    /** Applies only the deprecation messages ("" removes one) to versions that exist; nothing else in the body. */
    public void deprecate(Actor actor, PackageName name, Map<String, String> messages) {
        db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
            Map<String, String> changed = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : messages.entrySet()) {
                VersionRecord v = store.version(tx, pkg.name(), e.getKey());
                if (v == null || !v.published()) {
                    throw AirlockException.notFound("Version " + name + "@" + e.getKey() + " does not exist.");
                }
                String message = e.getValue() == null || e.getValue().isEmpty() ? null : e.getValue();
                if (message != null && message.length() > 1024) {
                    throw AirlockException.badRequest("A deprecation message may be at most 1024 characters.");
                }
                if (!java.util.Objects.equals(message, v.deprecated())) {
                    store.setDeprecated(tx, pkg.name(), e.getKey(), message);
                    changed.put(e.getKey(), message == null ? "" : message);
                }
            }
            if (!changed.isEmpty()) {
                rows.touchVersions(tx, pkg, clock.millis(), changed.keySet(), 0);
                audit.record(tx, actor, "package.deprecate", "package:" + pkg.name(), Map.of("versions", changed));
            }
            return null;
        });
    }
}
