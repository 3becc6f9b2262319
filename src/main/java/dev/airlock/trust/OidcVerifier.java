package dev.airlock.trust;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.crypto.Hashes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies CI ID tokens: a configured issuer, its JWKS (cached, refreshed at most once a minute when a kid is
 * unknown), an asymmetric algorithm only (no none, no HMAC, no keys supplied in the header), exactly one audience
 * {@code npm:<registry hostname>}, and exp / nbf / iat with a small leeway. Failures carry a reason for the logs,
 * never for the caller.
 */
final class OidcVerifier {
    static final long LEEWAY_MS = 60_000;
    private static final long REFRESH_MS = 60_000;
    private static final int MAX_JWKS_BYTES = 1 << 20;
    private static final Set<JWSAlgorithm> ALLOWED = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);
    private final List<AirlockConfig.Issuer> issuers;
    private final Clock clock;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Cached> jwks = new ConcurrentHashMap<>();

    private record Cached(JWKSet keys, long fetchedAt) {}

    /** Why an exchange failed (logged and audited, not shown to the caller). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String reason) {
            super(reason, null, false, false);
        }
    }

    record Verified(AirlockConfig.Issuer issuer, JWTClaimsSet claims, String jti, long expiresAt) {}

    OidcVerifier(List<AirlockConfig.Issuer> issuers, Clock clock) {
        this.issuers = issuers;
        this.clock = clock;
    }

    Verified verify(String token, String audience) throws Failure {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new Failure("not a signed JWT: " + e.getMessage());
        }
        JWSHeader header = jwt.getHeader();
        if (!ALLOWED.contains(header.getAlgorithm())) {
            throw new Failure("algorithm " + header.getAlgorithm() + " is not allowed");
        }
        if (header.getJWK() != null
                || header.getJWKURL() != null
                || header.getX509CertURL() != null
                || header.getX509CertChain() != null) {
            throw new Failure("keys supplied in the token header are not accepted");
        }
        String iss = claims.getIssuer();
        AirlockConfig.Issuer issuer = iss == null
                ? null
                : issuers.stream().filter(i -> i.matches(iss)).findFirst().orElse(null);
        if (issuer == null) {
            throw new Failure("issuer " + iss + " is not configured");
        }
        if (header.getKeyID() == null) {
            throw new Failure("the token has no kid");
        }
        JWK key = key(issuer.jwksFor(iss), header.getKeyID());
        try {
            JWSVerifier verifier;
            if (key instanceof RSAKey rsa && header.getAlgorithm().getName().matches("(RS|PS).*")) {
                verifier = new RSASSAVerifier(rsa);
            } else if (key instanceof ECKey ec
                    && header.getAlgorithm().getName().startsWith("ES")) {
                verifier = new ECDSAVerifier(ec);
            } else {
                throw new Failure("key " + header.getKeyID() + " does not fit algorithm " + header.getAlgorithm());
            }
            if (!jwt.verify(verifier)) {
                throw new Failure("bad signature");
            }
        } catch (JOSEException e) {
            throw new Failure("signature check failed: " + e.getMessage());
        }
        List<String> aud = claims.getAudience();
        if (aud == null || aud.size() != 1 || !audience.equals(aud.get(0))) {
            throw new Failure("audience " + aud + " is not exactly [" + audience + "]");
        }
        long now = clock.millis();
        Date exp = claims.getExpirationTime();
        if (exp == null || exp.getTime() + LEEWAY_MS < now) {
            throw new Failure("expired or no exp");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() - LEEWAY_MS > now) {
            throw new Failure("not valid yet (nbf)");
        }
        Date iat = claims.getIssueTime();
        if (iat == null || iat.getTime() - LEEWAY_MS > now) {
            throw new Failure("issued in the future or no iat");
        }
        // a token without jti is de-duplicated by its own hash until it expires
        String jti = claims.getJWTID() != null ? claims.getJWTID() : "sha256:" + Hashes.sha256Hex(token);
        return new Verified(issuer, claims, jti, exp.getTime() + LEEWAY_MS);
    }

    private JWK key(String url, String kid) throws Failure {
        Cached cached = jwks.get(url);
        long now = System.currentTimeMillis();
        if (cached != null && cached.keys().getKeyByKeyId(kid) != null) {
            return cached.keys().getKeyByKeyId(kid);
        }
        if (cached != null && now - cached.fetchedAt() < REFRESH_MS) {
            throw new Failure("unknown kid " + kid + " (JWKS refreshed less than a minute ago)");
        }
        JWKSet fresh = fetch(url);
        jwks.put(url, new Cached(fresh, now));
        JWK key = fresh.getKeyByKeyId(kid);
        if (key == null) {
            throw new Failure("unknown kid " + kid);
        }
        return key;
    }

    private JWKSet fetch(String url) throws Failure {
        try {
            HttpResponse<byte[]> r = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200 || r.body().length > MAX_JWKS_BYTES) {
                throw new Failure("JWKS " + url + " answered " + r.statusCode());
            }
            return JWKSet.parse(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException | ParseException e) {
            throw new Failure("cannot fetch JWKS " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted fetching JWKS");
        }
    }
}
