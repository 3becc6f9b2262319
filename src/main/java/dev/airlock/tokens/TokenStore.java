package dev.airlock.tokens;

import dev.airlock.platform.db.Tx;
import java.util.List;

interface TokenStore {
    void insert(Tx tx, Token token);

    /** The token with this key, unless its user is deactivated (then none: it authenticates nothing). */
    Token byKey(Tx tx, String key);

    /**
     * The token a request presents, when its account may use it at {@code now}: not deactivated, and its single
     * sign-on (if limited) not lapsed. Validity of the token itself ({@link Token#activeAt}) is the caller's check.
     */
    Token usable(Tx tx, String key, long now);

    /** The user a token with this key belongs to, whatever its state; null when there is none. */
    String ownerOf(Tx tx, String key);

    List<Token> byUser(Tx tx, String user);

    void revoke(Tx tx, String key, long at);

    void touch(Tx tx, String key, long at, String from);

    List<Token> all(Tx tx);

    boolean seenFrom(Tx tx, String key, String address);

    /** Notes the address; false when it was already noted (another request got there first). */
    boolean addAddress(Tx tx, String key, String address, long at);
}
