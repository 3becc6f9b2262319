package dev.airlock.tokens;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.shared.Actor;
import dev.airlock.shared.RequestFacts;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses each token has been used from. The first request with a token from a new address records
 * {@code token.use-new-address} (once per token and address, even when requests race: the insert decides). Pairs
 * already seen are remembered in memory (bounded) so that a request costs no database write and, mostly, no read.
 */
final class TokenAddresses {
    private static final int REMEMBERED = 10_000;
    private final Database db;
    private final TokenStore store;
    private final AuditService audit;
    private final Clock clock;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    TokenAddresses(Database db, TokenStore store, AuditService audit, Clock clock) {
        this.db = db;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    void noteUse(Token token, Actor attempt) {
        String address = attempt.sourceAddress() == null ? "unknown" : attempt.sourceAddress();
        if (address.length() > 64) {
            address = address.substring(0, 64);
        }
        String pair = token.key() + "|" + address;
        if (seen.contains(pair)) {
            return;
        }
        String from = address;
        boolean known = db.read(tx -> store.seenFrom(tx, token.key(), from));
        if (!known) {
            Actor user = new Actor(
                    token.user(),
                    token.kind(),
                    token.key(),
                    attempt.sourceAddress(),
                    null,
                    token.scope(),
                    new RequestFacts(attempt.facts().userAgent(), TokenService.nameOf(token)));
            db.write(tx -> {
                if (store.addAddress(tx, token.key(), from, clock.millis())) {
                    audit.record(
                            tx,
                            user,
                            "token.use-new-address",
                            TokenService.target(token.key()),
                            Map.of("address", from, "kind", token.kind()));
                }
                return null;
            });
        }
        if (seen.size() >= REMEMBERED) {
            seen.clear();
        }
        seen.add(pair);
    }
}
