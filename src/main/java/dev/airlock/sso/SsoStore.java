package dev.airlock.sso;

import dev.airlock.platform.db.Tx;

/** Links between identity-provider subjects and accounts, and sign-ins on their way through a provider. */
interface SsoStore {
    /** The account linked to (issuer, subject), or null. */
    String linkedUser(Tx tx, String issuer, String subject);

    void link(Tx tx, String issuer, String subject, String user, String provider, long at);

    void seen(Tx tx, String issuer, String subject, long at);

    /** Whether any identity-provider subject is linked to {@code user}. */
    boolean anyLink(Tx tx, String user);

    /** Stores a new flow, dropping flows that expired before {@code now}. */
    void insertFlow(Tx tx, Flow flow, long now);

    /** Takes the flow (it is deleted: a state is used once); null when there is none. */
    Flow takeFlow(Tx tx, String stateHash);

    record Flow(
            String stateHash,
            String provider,
            String nonceHash,
            String browserHash,
            String verifierSealed,
            String nextPage,
            long createdAt,
            long expiresAt,
            String user,
            String purpose) {}

    /** The providers whose subjects are linked to {@code user}. */
    java.util.List<String> linkedProviders(Tx tx, String user);

    /** Stores a passed re-authentication, dropping those that expired before {@code now}. */
    void insertPresence(Tx tx, Presence p, long now);

    /** Marks the presence used (once): null when there is none with that hash, or it was already used. */
    Presence usePresence(Tx tx, String codeHash, long now);

    record Presence(
            String codeHash,
            String user,
            String purpose,
            String provider,
            String factor,
            boolean phishingResistant,
            long createdAt,
            long expiresAt) {}
}
