package dev.airlock.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.PackageName;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The served copies of cached upstream packuments: built when a packument is stored (first-seen instants recorded,
 * then the versions the cooldown or a block hides left out, see {@link Release}), and rebuilt from the cached upstream
 * copy, without an upstream request, when they are due: the public URL changed, a hidden version's cooldown ended, or
 * an operator's decision invalidated them. Until then a read is the one stored row.
 */
final class ServedCopies {
    private final Database db;
    private final ProxyStore store;
    private final Supplier<String> base;
    private final Clock clock;
    private final Duration cooldown;
    private final List<String> cooldownExclude;

    ServedCopies(
            Database db,
            ProxyStore store,
            Supplier<String> base,
            Clock clock,
            Duration cooldown,
            List<String> cooldownExclude) {
        this.db = db;
        this.store = store;
        this.base = base;
        this.clock = clock;
        this.cooldown = cooldown;
        this.cooldownExclude =
                cooldownExclude.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * The versions the cached packument hides (its served copies rebuilt first when due); null when it is not cached,
     * or was fetched from another upstream than {@code upstream}.
     */
    Set<String> hiddenVersions(PackageName name, String upstream) {
        ProxyStore.Hidden h = db.read(tx -> store.hidden(tx, name.toString()));
        if (h == null || !upstream.equals(h.upstream())) {
            return null;
        }
        if (!due(h.base(), h.recomputeAt())) {
            return Release.hiddenVersions(h.hidden());
        }
        ProxyStore.Cached c = db.read(tx -> store.packument(tx, name.toString()));
        return c == null ? null : Release.hiddenVersions(current(c, name).hidden());
    }

    boolean excluded(PackageName name) {
        return InternalNames.matching(cooldownExclude, name) != null;
    }

    Duration cooldown() {
        return cooldown;
    }

    /**
     * The cached copy, its served documents rebuilt first (without asking the upstream) when the public URL changed
     * since they were built, a hidden version's cooldown has ended, or an operator's decision changed them.
     */
    ProxyStore.Cached current(ProxyStore.Cached c, PackageName name) {
        if (!due(c.base(), c.recomputeAt())) {
            return c;
        }
        ObjectNode doc = ProxyDocuments.parse(c.upstreamJson(), name);
        if (doc == null) {
            return c;
        }
        return save(
                name, c.upstreamJson(), doc, c.upstreamEtag(), c.upstreamLastModified(), c.fetchedAt(), c.upstream());
    }

    boolean due(String builtFor, Long recomputeAt) {
        return !builtFor.equals(base.get()) || recomputeAt != null && clock.millis() >= recomputeAt;
    }

    /**
     * Stores a packument: records when each version was first seen (for versions in the first copy of a name, their
     * upstream time, never later than now; for versions that appear later, now), then builds the served copies
     * without the versions the cooldown or a block hides.
     */
    ProxyStore.Cached save(
            PackageName name,
            byte[] body,
            ObjectNode doc,
            String etag,
            String lastModified,
            long fetchedAt,
            String upstream) {
        String n = name.toString();
        long now = clock.millis();
        Map<String, Long> seen = new HashMap<>();
        List<Release.Rule> rules = new ArrayList<>();
        db.write(tx -> {
            seen.putAll(store.seen(tx, n));
            boolean first = seen.isEmpty();
            Map<String, Long> added = new HashMap<>();
            doc.path("versions").fieldNames().forEachRemaining(v -> {
                if (!seen.containsKey(v)) {
                    long published = Release.published(doc.path("time"), v);
                    added.put(v, first && published > 0 ? Math.min(published, now) : now);
                }
            });
            store.putSeen(tx, n, added);
            seen.putAll(added);
            rules.addAll(store.rules(tx, n));
            return null;
        });
        Release.View view = Release.apply(doc, seen, rules, cooldown, excluded(name), now);
        String at = base.get();
        ProxyStore.Served[] built = ProxyDocuments.build(at, name, view.doc());
        ProxyStore.Cached c = new ProxyStore.Cached(
                n,
                body,
                etag,
                lastModified,
                fetchedAt,
                at,
                built[0],
                built[1],
                view.hidden(),
                view.recomputeAt(),
                upstream);
        db.write(tx -> {
            store.putPackument(tx, c);
            return null;
        });
        return c;
    }
}
