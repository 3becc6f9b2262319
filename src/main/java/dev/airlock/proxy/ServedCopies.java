package dev.airlock.proxy;

import dev.airlock.platform.db.Database;
import dev.airlock.shared.PackageName;
import dev.airlock.signing.ProxySignatures;
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
    private final java.nio.file.Path spoolDir;
    private final Duration cooldown;
    private final List<String> cooldownExclude;
    private final ProxySignatures signatures;

    ServedCopies(
            Database db,
            ProxyStore store,
            Supplier<String> base,
            Clock clock,
            java.nio.file.Path spoolDir,
            Duration cooldown,
            List<String> cooldownExclude,
            ProxySignatures signatures) {
        this.db = db;
        this.store = store;
        this.base = base;
        this.clock = clock;
        this.spoolDir = spoolDir;
        this.cooldown = cooldown;
        this.cooldownExclude =
                cooldownExclude.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
        this.signatures = signatures;
    }

    /**
     * The versions the cached packument hides (its served copies rebuilt first when due); null when it is not cached,
     * or was fetched from another upstream than {@code upstream}. {@code h} is the row's state as read with the tarball.
     */
    Set<String> hiddenVersions(PackageName name, String upstream, ProxyStore.Hidden h) {
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
     * since they were built, a hidden version's cooldown has ended, or an operator's decision changed them. A row read
     * with {@link ProxyStore#variant} (no upstream document) is read whole first when it must be rebuilt.
     */
    ProxyStore.Cached current(ProxyStore.Cached c, PackageName name) {
        if (!due(c.base(), c.recomputeAt())) {
            return c;
        }
        ProxyStore.Cached whole = c.upstreamGz() != null ? c : db.read(tx -> store.packument(tx, name.toString()));
        if (whole == null) {
            return c;
        }
        UpstreamScan.Summary doc = UpstreamScan.scan(whole.upstreamGz(), name);
        if (doc == null) {
            return whole;
        }
        return save(
                name,
                whole.upstreamGz(),
                doc,
                whole.upstreamEtag(),
                whole.upstreamLastModified(),
                whole.fetchedAt(),
                whole.upstream(),
                false);
    }

    boolean due(String builtFor, Long recomputeAt) {
        return !builtFor.equals(base.get()) || recomputeAt != null && clock.millis() >= recomputeAt;
    }

    /**
     * Stores a packument: records when each version was first seen (for versions in the first copy of a name, their
     * upstream time, never later than now; for versions that appear later, now), builds the served copies without the
     * versions the cooldown or a block hides, and writes them (and, for a document new from the upstream, each
     * version's dist) in one transaction.
     */
    ProxyStore.Cached save(
            PackageName name,
            byte[] gz,
            UpstreamScan.Summary doc,
            String etag,
            String lastModified,
            long fetchedAt,
            String upstream,
            boolean fromUpstream) {
        String n = name.toString();
        long now = clock.millis();
        Map<String, Long> seen = new HashMap<>();
        List<Release.Rule> rules = new ArrayList<>();
        ProxySignatures.Batch sigs = db.read(tx -> {
            seen.putAll(store.seen(tx, n));
            rules.addAll(store.rules(tx, n));
            return signatures.begin(tx, n, upstream);
        });
        boolean first = seen.isEmpty();
        Map<String, Long> added = new HashMap<>();
        for (String v : doc.dists().keySet()) {
            if (!seen.containsKey(v)) {
                long published = Release.published(doc.time(), v);
                added.put(v, first && published > 0 ? Math.min(published, now) : now);
            }
        }
        seen.putAll(added);
        Release.View view = Release.apply(doc.skeleton(), seen, rules, cooldown, excluded(name), now);
        String at = base.get();
        ProxyStore.Served[] built = ProxyDocuments.build(at, name, gz, view, spoolDir, sigs);
        ProxyStore.Cached c = new ProxyStore.Cached(
                n,
                gz,
                etag,
                lastModified,
                fetchedAt,
                at,
                built[0],
                built[1],
                view.hidden(),
                view.recomputeAt(),
                upstream);
        db.writeCopy(tx -> {
            store.putSeen(tx, n, added); // a version another request recorded meanwhile keeps its first instant
            store.putPackument(tx, c);
            sigs.save(tx); // the signatures made for versions the upstream left unsigned (docs/adr/0010)
            if (fromUpstream) {
                store.putDists(tx, n, doc.dists());
            }
            return null;
        });
        return c;
    }
}
