package dev.airlock.twofactor;

import dev.airlock.platform.db.Tx;
import java.util.List;

interface SecurityKeyStore {
    record Credential(String credentialId, String user, String userHandle, String publicKeyCose, long signatureCount) {}

    record Ceremony(String user, String kind, String purpose, String requestJson, long expiresAt) {}

    record KeyCode(
            String authId,
            String user,
            String tokenKey,
            String operation,
            String source,
            long createdAt,
            long expiresAt,
            String codeHash,
            String codeSealed,
            Long usedAt,
            String factor,
            boolean phishingResistant) {
        /** A code for a step-up or a web-OTP request, before anyone confirmed it. */
        KeyCode(
                String authId,
                String user,
                String tokenKey,
                String operation,
                String source,
                long createdAt,
                long expiresAt,
                String codeHash) {
            this(authId, user, tokenKey, operation, source, createdAt, expiresAt, codeHash, null, null, null, false);
        }
    }

    List<SecurityKey> list(Tx tx, String user);

    int count(Tx tx, String user);

    List<Credential> credentials(Tx tx, String user);

    List<Credential> byId(Tx tx, String credentialId);

    String userHandle(Tx tx, String user);

    String userForHandle(Tx tx, String handle);

    void insert(Tx tx, Credential c, String nickname, long at);

    boolean delete(Tx tx, String user, String credentialId);

    void used(Tx tx, String credentialId, long signatureCount, long at);

    void insertCeremony(Tx tx, String idHash, Ceremony c, long now);

    /** Deletes and returns the ceremony (single use), or null. */
    Ceremony takeCeremony(Tx tx, String idHash);

    void insertCode(Tx tx, KeyCode code, String doneHash);

    KeyCode codeByAuthId(Tx tx, String authId);

    KeyCode codeByDoneHash(Tx tx, String doneHash);

    KeyCode codeByHash(Tx tx, String codeHash);

    /**
     * Records the confirmed code once: true when this call set it. {@code factor}: null for a security key, else the
     * identity provider's factor that confirmed it.
     */
    boolean confirm(
            Tx tx,
            String authId,
            String codeHash,
            String codeSealed,
            long expiresAt,
            String factor,
            boolean phishingResistant);

    /** The poll collected the sealed code: forget it. */
    void collected(Tx tx, String authId);

    /** Marks the code used: true when this call won (single use under concurrency). */
    boolean use(Tx tx, String codeHash, long at);
}
