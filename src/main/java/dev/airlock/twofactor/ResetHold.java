package dev.airlock.twofactor;

import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.util.Optional;

/**
 * The hold on an account whose second factor an administrator asked to reset (docs/recovery.md): until the reset
 * takes effect or is cancelled, the account cannot approve staged releases, create tokens, or change policies, owners or trusted publishers. A reset
 * is how someone who talked an administrator into it would get around 2FA, so the waiting period must not let the
 * account do what 2FA guards in the meantime. Services ask {@link #refuseIfPending(Tx, Actor)} inside the transaction
 * of the change; the gate asks {@link #refuseIfPending(Actor)} before it asks for a factor.
 */
public final class ResetHold {
    private final Database db;
    private final ResetStore store;
    private final String consoleUrl;

    ResetHold(Database db, ResetStore store, String consoleUrl) {
        this.db = db;
        this.store = store;
        this.consoleUrl = consoleUrl;
    }

    /** The user's pending reset, if any. */
    public Optional<PendingReset> pending(Tx tx, String user) {
        return user == null ? Optional.empty() : Optional.ofNullable(store.pending(tx, user));
    }

    public Optional<PendingReset> pending(String user) {
        return user == null ? Optional.empty() : db.read(tx -> pending(tx, user));
    }

    /** Throws the refusal (403) when the acting person's account has a pending reset; operators are never held. */
    public void refuseIfPending(Tx tx, Actor actor) {
        if (held(actor)) {
            pending(tx, actor.user()).ifPresent(r -> {
                throw refusal(r);
            });
        }
    }

    /** As {@link #refuseIfPending(Tx, Actor)}, in a read of its own. */
    public void refuseIfPending(Actor actor) {
        if (held(actor)) {
            pending(actor.user()).ifPresent(r -> {
                throw refusal(r);
            });
        }
    }

    /** The refusal's message when the acting person's account is held, for decisions that do not throw. */
    public Optional<String> refusalFor(Actor actor) {
        return held(actor) ? pending(actor.user()).map(r -> refusal(r).getMessage()) : Optional.empty();
    }

    private static boolean held(Actor actor) {
        return actor.user() != null && !actor.isOperator();
    }

    /** What a held account is told: until when, and how to cancel. */
    public AirlockException refusal(PendingReset r) {
        return AirlockException.forbidden("A reset of this account's second factor is pending until " + r.effective()
                + " (requested by " + r.requestedBy() + "). Until then this account cannot approve releases, create"
                + " tokens, or change policies, owners or trusted publishers. If you did not ask for it, cancel it at "
                + consoleUrl
                + "/-/console/account; an owner of one of your orgs can also cancel it on the org's console page.");
    }
}
