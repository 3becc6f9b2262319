package dev.airlock.sso;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.airlock.platform.config.OidcConfig;
import dev.airlock.platform.crypto.Hashes;
import java.net.URI;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relying-party side of OpenID Connect for one configured provider, on the Nimbus OAuth 2.0 SDK: metadata
 * discovered from the issuer (and checked to name the same issuer), the authorization request (code flow, PKCE S256,
 * state, nonce), the code exchange at the token endpoint, and the ID token's verification: signature by a key of
 * the issuer's JWKS with an asymmetric algorithm, {@code iss}, {@code aud}, {@code azp} when there are several
 * audiences, {@code exp} / {@code iat} (also against the registry's clock) and {@code nonce}. Failures carry a
 * reason for the logs; the person is told less.
 */
final class OidcClient {
    static final int MAX_CLOCK_SKEW_SECONDS = 60;
    private static final int TIMEOUT_MS = 10_000;
    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA,
            JWSAlgorithm.Ed25519);
    final OidcConfig.Provider config;
    private final Clock clock;
    private final Map<String, Discovered> discovered = new ConcurrentHashMap<>();

    private record Discovered(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

    /** Why a sign-in failed (logged, audited; the person sees a general sentence). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String reason) {
            super(reason, null, false, false);
        }

        Failure(String reason, Throwable cause) {
            super(reason + ": " + cause.getMessage(), null, false, false);
        }
    }

    /** What a verified sign-in says about the person: the ID token's claims, merged with UserInfo's when needed. */
    record Verified(JWT raw, IDTokenClaimsSet idToken, Map<String, Object> claims) {}

    OidcClient(OidcConfig.Provider config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    private Discovered discover() throws Failure {
        Discovered d = discovered.get("metadata");
        if (d != null) {
            return d;
        }
        try {
            OIDCProviderMetadata meta =
                    OIDCProviderMetadata.resolve(new Issuer(config.issuer()), TIMEOUT_MS, TIMEOUT_MS);
            Set<JWSAlgorithm> algs = new HashSet<>(ASYMMETRIC);
            if (meta.getIDTokenJWSAlgs() != null) {
                algs.retainAll(meta.getIDTokenJWSAlgs());
            }
            if (algs.isEmpty()) {
                throw new Failure("the provider signs ID tokens with no asymmetric algorithm Airlock accepts");
            }
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(
                            meta.getJWKSetURI().toURL())
                    .retrying(true)
                    .build();
            IDTokenValidator validator = new IDTokenValidator(
                    meta.getIssuer(),
                    new ClientID(config.clientId()),
                    new JWSVerificationKeySelector<>(algs, keys),
                    null);
            validator.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
            d = new Discovered(meta, validator);
            discovered.put("metadata", d);
            return d;
        } catch (Failure e) {
            throw e;
        } catch (Exception e) {
            throw new Failure("discovery of " + config.issuer() + " failed", e);
        }
    }

    /** The provider's authorization endpoint with this request's parameters. */
    URI authorizationUri(URI redirect, String state, String nonce, String verifier, boolean reauthenticate)
            throws Failure {
        Discovered d = discover();
        AuthenticationRequest.Builder b = new AuthenticationRequest.Builder(
                        ResponseType.CODE,
                        new Scope(config.scopes().toArray(String[]::new)),
                        new ClientID(config.clientId()),
                        redirect)
                .endpointURI(d.metadata().getAuthorizationEndpointURI())
                .state(new State(state))
                .nonce(new Nonce(nonce))
                .codeChallenge(new CodeVerifier(verifier), CodeChallengeMethod.S256);
        if (reauthenticate) {
            b.prompt(new Prompt(Prompt.Type.LOGIN)).maxAge(0);
        }
        return b.build().toURI();
    }

    /** The issuer this provider's metadata names (what ID tokens must carry in iss). */
    String issuer() throws Failure {
        return discover().metadata().getIssuer().getValue();
    }

    /**
     * Exchanges the code (with the PKCE verifier) and verifies the ID token it brings; its nonce must hash to
     * {@code nonceHash} (only the hash of the nonce is stored).
     */
    Verified redeem(URI redirect, String code, String verifier, String nonceHash) throws Failure {
        Discovered d = discover();
        OIDCProviderMetadata meta = d.metadata();
        ClientAuthentication auth = clientAuthentication(meta);
        TokenRequest request = new TokenRequest(
                meta.getTokenEndpointURI(),
                auth,
                new AuthorizationCodeGrant(new AuthorizationCode(code), redirect, new CodeVerifier(verifier)),
                null);
        OIDCTokenResponse tokens;
        try {
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(TIMEOUT_MS);
            http.setReadTimeout(TIMEOUT_MS);
            TokenResponse response = OIDCTokenResponseParser.parse(http.send());
            if (!response.indicatesSuccess()) {
                TokenErrorResponse error = response.toErrorResponse();
                throw new Failure("the token endpoint refused the code: "
                        + (error.getErrorObject() == null
                                ? "no reason"
                                : error.getErrorObject().getCode()));
            }
            tokens = (OIDCTokenResponse) response.toSuccessResponse();
        } catch (Failure e) {
            throw e;
        } catch (Exception e) {
            throw new Failure("the code exchange failed", e);
        }
        JWT idToken = tokens.getOIDCTokens().getIDToken();
        if (idToken == null) {
            throw new Failure("the token response carried no ID token");
        }
        IDTokenClaimsSet claims = verify(idToken, nonceHash);
        Map<String, Object> all = new java.util.HashMap<>(claims.toJSONObject());
        if (needsUserInfo(all) && meta.getUserInfoEndpointURI() != null) {
            all.putAll(userInfo(meta.getUserInfoEndpointURI(), tokens, claims));
        }
        return new Verified(idToken, claims, Map.copyOf(withoutNulls(all)));
    }

    /** Verifies an ID token this client received: signature, iss, aud (and azp), exp, iat, nonce (by its hash). */
    IDTokenClaimsSet verify(JWT idToken, String nonceHash) throws Failure {
        IDTokenClaimsSet claims;
        try {
            // the nonce is compared below, by hash
            claims = discover().validator().validate(idToken, null);
        } catch (Failure e) {
            throw e;
        } catch (Exception e) {
            throw new Failure("the ID token did not verify", e);
        }
        List<com.nimbusds.oauth2.sdk.id.Audience> aud = claims.getAudience();
        if (aud.size() > 1
                && (claims.getAuthorizedParty() == null
                        || !config.clientId().equals(claims.getAuthorizedParty().getValue()))) {
            throw new Failure("the ID token names several audiences but not this client as its authorized party");
        }
        if (claims.getNonce() == null
                || !Hashes.same(Hashes.sha256Hex(claims.getNonce().getValue()), nonceHash)) {
            throw new Failure("the ID token's nonce is not this sign-in's");
        }
        long now = clock.millis();
        long skew = MAX_CLOCK_SKEW_SECONDS * 1000L;
        if (claims.getExpirationTime().getTime() + skew < now) {
            throw new Failure("the ID token has expired");
        }
        if (claims.getIssueTime().getTime() - skew > now) {
            throw new Failure("the ID token was issued in the future");
        }
        return claims;
    }

    private boolean needsUserInfo(Map<String, Object> claims) {
        return !claims.containsKey(config.usernameClaim()) || !claims.containsKey(config.groupsClaim());
    }

    private Map<String, Object> userInfo(URI endpoint, OIDCTokenResponse tokens, IDTokenClaimsSet idToken)
            throws Failure {
        try {
            if (!(tokens.getOIDCTokens().getAccessToken() instanceof BearerAccessToken bearer)) {
                return Map.of();
            }
            HTTPRequest http = new UserInfoRequest(endpoint, bearer).toHTTPRequest();
            http.setConnectTimeout(TIMEOUT_MS);
            http.setReadTimeout(TIMEOUT_MS);
            HTTPResponse raw = http.send();
            UserInfoResponse response = UserInfoResponse.parse(raw);
            if (!response.indicatesSuccess()) {
                throw new Failure("the UserInfo endpoint refused the access token");
            }
            var info = response.toSuccessResponse().getUserInfo();
            if (info == null) {
                // a signed or encrypted UserInfo answer is not asked for; without a plain one, the ID token's claims
                return Map.of();
            }
            if (!idToken.getSubject().equals(info.getSubject())) {
                throw new Failure("UserInfo answered for another subject than the ID token's");
            }
            Map<String, Object> out = new java.util.HashMap<>(info.toJSONObject());
            out.keySet()
                    .removeAll(Set.of("iss", "aud", "sub", "exp", "iat", "nonce", "azp", "auth_time", "amr", "acr"));
            return out;
        } catch (Failure e) {
            throw e;
        } catch (Exception e) {
            throw new Failure("the UserInfo request failed", e);
        }
    }

    private ClientAuthentication clientAuthentication(OIDCProviderMetadata meta) {
        Secret secret = new Secret(config.clientSecret());
        List<ClientAuthenticationMethod> methods = meta.getTokenEndpointAuthMethods();
        if (methods != null
                && !methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                && methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
            return new ClientSecretPost(new ClientID(config.clientId()), secret);
        }
        return new ClientSecretBasic(new ClientID(config.clientId()), secret);
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> m) {
        m.values().removeIf(java.util.Objects::isNull);
        return m;
    }
}
