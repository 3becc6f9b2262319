package dev.airlock.packages;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

/** npm dist-tag add / rm: a tag points at a published version; latest cannot be removed. */
public final class DistTags {
    private static final Pattern TAG = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,127}");
    /** Tags semver.validRange accepts (x, v1, v1.2.x, v1.2.3-beta…; also odd forms like x.1): npm refuses them. */
    private static final Pattern RANGE_LIKE = Pattern.compile(
            "v*(?:[xX*]|0|[1-9]\\d*)(?:\\.(?:[xX*]|0|[1-9]\\d*)(?:\\.(?:[xX*]|0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?)?)?");

    private final PackageRows rows;
    private final Database db;
    private final PackageStore store;
    private final AuditService audit;
    private final Clock clock;

    DistTags(PackageRows rows) {
        this.rows = rows;
        this.db = rows.db;
        this.store = rows.store;
        this.audit = rows.audit;
        this.clock = rows.clock;
    }

    public static String validTag(String tag) {
        if (tag == null
                || !TAG.matcher(tag).matches()
                || RANGE_LIKE.matcher(tag).matches()) {
            throw AirlockException.badRequest("Invalid dist-tag \"" + tag
                    + "\": a tag starts with a letter and must not look" + " like a version or range.");
        }
        return tag;
    }

    public void setDistTag(Actor actor, PackageName name, String tag, String version) {
        validTag(tag);
        db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
            VersionRecord v = store.version(tx, pkg.name(), version);
            if (v == null || !v.published()) {
                throw AirlockException.notFound("Version " + name + "@" + version
                        + " does not exist; a tag must point at a published version.");
            }
            store.setTag(tx, pkg.name(), tag, version);
            rows.touchHead(tx, pkg, clock.millis());
            audit.record(tx, actor, "dist-tag.set", "package:" + pkg.name(), Map.of("tag", tag, "version", version));
            return null;
        });
    }

    public void removeDistTag(Actor actor, PackageName name, String tag) {
        if ("latest".equals(tag)) {
            throw AirlockException.badRequest("The latest tag cannot be removed; point it at another version instead.");
        }
        db.write(tx -> {
            PackageRecord pkg = rows.writable(tx, actor, name);
            if (!store.tags(tx, pkg.name()).containsKey(tag)) {
                throw AirlockException.notFound("Tag \"" + tag + "\" is not set on " + name + ".");
            }
            store.removeTag(tx, pkg.name(), tag);
            rows.touchHead(tx, pkg, clock.millis());
            audit.record(tx, actor, "dist-tag.remove", "package:" + pkg.name(), Map.of("tag", tag));
            return null;
        });
    }
}
