package dev.airlock.platform.http;

import dev.airlock.shared.Actor;

/** Port implemented by the accounts feature: turns an Authorization header into an {@link Actor}. */
public interface Authenticator {
    /**
     * Identifies who sent a request.
     *
     * @param authorization the raw header (may be null)
     * @return the actor; anonymous when there is no header
     * @throws dev.airlock.shared.AirlockException 401 when a credential is present but invalid
     */
    Actor authenticate(String authorization, String sourceAddress);

    /** As {@link #authenticate(String, String)}, for a client that sent this {@code User-Agent} (may be null). */
    default Actor authenticate(String authorization, String sourceAddress, String userAgent) {
        return authenticate(authorization, sourceAddress).withUserAgent(userAgent);
    }
}
