package dev.airlock.accounts;

import dev.airlock.platform.http.Authenticator;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.RequestFacts;
import dev.airlock.tokens.Token;
import dev.airlock.tokens.TokenService;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Resolves {@code Authorization: Bearer <token>} and {@code Basic <user:password>} to an {@link Actor}. */
public final class AccountsAuthenticator implements Authenticator {
    private final UserService users;
    private final TokenService tokens;

    public AccountsAuthenticator(UserService users, TokenService tokens) {
        this.users = users;
        this.tokens = tokens;
    }

    @Override
    public Actor authenticate(String authorization, String source) {
        return authenticate(authorization, source, null);
    }

    @Override
    public Actor authenticate(String authorization, String source, String userAgent) {
        Actor attempt = Actor.anonymous(source).withUserAgent(userAgent);
        if (authorization == null || authorization.isBlank()) {
            return attempt;
        }
        int space = authorization.indexOf(' ');
        String scheme = space < 0 ? authorization : authorization.substring(0, space);
        String value = space < 0 ? "" : authorization.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            Token token;
            try {
                token = tokens.resolve(value, attempt);
            } catch (AirlockException e) {
                String owner = e.code() == dev.airlock.shared.ErrorCode.UNAUTHORIZED ? tokens.ownerOf(value) : null;
                if (owner != null && users.isDeactivated(owner)) {
                    // the holder of a deactivated account's token is told why it stopped working: without a
                    // WWW-Authenticate: Bearer challenge npm prints the message instead of its own "token invalid"
                    throw new AirlockException(
                            dev.airlock.shared.ErrorCode.LOGIN_FAILED,
                            "The account \"" + owner
                                    + "\" is deactivated: its tokens no longer work. Ask a registry administrator if this"
                                    + " is a mistake.");
                }
                if (owner != null && users.ssoLapsed(owner)) {
                    throw new AirlockException(
                            dev.airlock.shared.ErrorCode.LOGIN_FAILED,
                            "The single sign-on of \"" + owner + "\" has lapsed: this registry asks you to sign in"
                                    + " through your identity provider again after a set time. Run `npm login`;"
                                    + " this token works again once you have.");
                }
                throw e;
            }
            return new Actor(
                    token.user(),
                    token.kind(),
                    token.key(),
                    source,
                    null,
                    token.scope(),
                    new RequestFacts(userAgent, TokenService.nameOf(token)));
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw AirlockException.unauthorized("Malformed Basic credentials.");
            }
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                // password sign-in turned off, or an account that signs in with single sign-on: say so
                users.requirePasswordSignIn(decoded.substring(0, colon));
            }
            if (colon <= 0
                    || !users.checkPassword(
                            attempt, "user.basic-auth", decoded.substring(0, colon), decoded.substring(colon + 1))) {
                // HTTP Basic is checked against local passwords only (a directory bind on every request would put
                // the company directory on the hot path); the same sentence for every failure names nobody
                throw new AirlockException(
                        dev.airlock.shared.ErrorCode.LOGIN_FAILED,
                        users.usesDirectory()
                                ? "Incorrect username or password. Company directory (LDAP) accounts cannot use HTTP"
                                        + " Basic: run `npm login` and use the token it gives."
                                : "Incorrect username or password.");
            }
            return attempt.as(decoded.substring(0, colon), "password");
        }
        throw AirlockException.unauthorized("Unsupported authorization scheme " + scheme + ".");
    }
}
