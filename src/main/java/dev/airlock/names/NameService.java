package dev.airlock.names;

import dev.airlock.audit.AuditService;
import dev.airlock.packages.PackageService;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which names may become <em>new</em> packages. Every name npm installs (validate-npm-package-name's rules for
 * existing packages, {@link PackageName#parse}) is served; a new package must also pass npm's rules for new names
 * ({@link PackageName#newPackageProblems}: no Node.js core module names, no capitals, no ~'!()*) and must not differ
 * only in case from an existing package — unless an administrator allowed that exact name
 * ({@code ./airlock names allow NAME}, audited). A package that exists takes further versions without an allowance.
 */
public final class NameService {
    /** Where a new package's name comes from. */
    public enum Origin {
        /** npm publish and npm stage publish: npm's rules for new names, or an administrator's allowance. */
        CLIENT,
        /**
         * Trusted internal callers only, never an HTTP adapter: packages that already exist elsewhere (import from
         * another registry or a Verdaccio storage, later the proxy). npm's rules for existing names apply, which every
         * parsed {@link PackageName} already meets, so nothing more is asked.
         */
        EXISTING_ELSEWHERE
    }

    private final Database db;
    private final AllowedNameStore store;
    private final PackageService packages;
    private final AuditService audit;
    private final Clock clock;

    NameService(Database db, AllowedNameStore store, PackageService packages, AuditService audit, Clock clock) {
        this.db = db;
        this.store = store;
        this.packages = packages;
        this.audit = audit;
        this.clock = clock;
    }

    public static NameService create(Database db, PackageService packages, AuditService audit, Clock clock) {
        return new NameService(db, new JdbiAllowedNameStore(), packages, audit, clock);
    }

    /** The name of the client doctor every Airlock serves itself (docs/doctor.md): nobody publishes it. */
    public static final String DOCTOR = "airlock-doctor";

    /** Whether the name belongs to the registry itself: never published by a client, never fetched upstream. */
    public static boolean reserved(PackageName name) {
        return name.toString().equalsIgnoreCase(DOCTOR);
    }

    /** Refuses (403) a client's publish or stage of a reserved name; imports by the registry itself pass. */
    public static void refuseReserved(PackageName name, Origin origin) {
        if (origin == Origin.CLIENT && reserved(name)) {
            throw AirlockException.forbidden("The name " + DOCTOR + " is reserved: every Airlock serves its own client"
                    + " doctor under it (npx airlock-doctor). Publish your package under another name.");
        }
    }

    /** Refuses (400, saying how to proceed) a new package whose name npm allows only for existing packages. */
    public void requirePublishable(PackageName name, Origin origin) {
        if (origin == Origin.EXISTING_ELSEWHERE) {
            return;
        }
        List<String> sameLetters = new ArrayList<>(packages.namesIgnoringCase(name));
        if (sameLetters.remove(name.toString())) {
            return; // the package exists: its further versions need nothing
        }
        List<String> problems = name.newPackageProblems();
        if (problems.isEmpty() && sameLetters.isEmpty() || allowed(name)) {
            return;
        }
        StringBuilder why = new StringBuilder();
        if (!problems.isEmpty()) {
            why.append(String.join(" and ", problems)).append(": npm allows it only for packages that already exist. ");
        }
        if (!sameLetters.isEmpty()) {
            why.append(name)
                    .append(" differs only in case from the existing package ")
                    .append(String.join(", ", sameLetters))
                    .append(", which makes them easy to confuse. ");
        }
        throw AirlockException.badRequest(
                why + "An administrator can allow it with ./airlock names allow " + name + ".");
    }

    public boolean allowed(PackageName name) {
        return db.read(tx -> store.find(tx, name.toString())) != null;
    }

    /** What {@code allow} did with one name, and what npm says about it. */
    public record Outcome(String name, boolean added, List<String> problems) {}

    /** Allows each name (valid for existing packages, or a 400 naming it) for new packages; audited; idempotent. */
    public List<Outcome> allow(Actor actor, List<String> names) {
        List<PackageName> parsed = names.stream().map(PackageName::parse).toList();
        return db.write(tx -> {
            List<Outcome> out = new ArrayList<>();
            for (PackageName name : parsed) {
                boolean added = store.find(tx, name.toString()) == null;
                if (added) {
                    store.insert(tx, new AllowedName(name.toString(), actor.describe(), clock.millis()));
                    audit.record(
                            tx, actor, "name.allow", "package:" + name, Map.of("problems", name.newPackageProblems()));
                }
                out.add(new Outcome(name.toString(), added, name.newPackageProblems()));
            }
            return out;
        });
    }

    /** Withdraws an allowance (packages already published under the name keep it); audited. */
    public void revoke(Actor actor, String raw) {
        PackageName name = PackageName.parse(raw);
        db.write(tx -> {
            if (!store.delete(tx, name.toString())) {
                throw AirlockException.notFound(name + " is not an allowed name (see ./airlock names list).");
            }
            audit.record(tx, actor, "name.revoke", "package:" + name, Map.of());
            return null;
        });
    }

    public List<AllowedName> list() {
        return db.read(store::all);
    }
}
