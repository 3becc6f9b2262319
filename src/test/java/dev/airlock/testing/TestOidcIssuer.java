package dev.airlock.testing;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A real OIDC party for tests: its own RSA key pair, discovery and JWKS over HTTP on loopback, tokens minted on
 * demand, and GitHub Actions' ID-token request endpoint ({@code ACTIONS_ID_TOKEN_REQUEST_URL}) that npm calls.
 */
public final class TestOidcIssuer implements AutoCloseable {
    public static final String REQUEST_TOKEN = "actions-request-token";
    private final HttpServer server;
    private final RSAKey key;
    private final Clock clock;
    /** Claims added to tokens served at /token (what the "pipeline" is). */
    public volatile Map<String, Object> pipelineClaims = Map.of();

    public TestOidcIssuer(Clock clock) {
        this.clock = clock;
        try {
            this.key = new RSAKeyGenerator(2048).keyID("test-key-1").generate();
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        server.createContext(
                "/.well-known/openid-configuration",
                ex -> respond(ex, 200, "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + jwksUrl() + "\"}"));
        server.createContext("/jwks", ex -> respond(ex, 200, new JWKSet(key.toPublicJWK()).toString()));
        server.createContext("/token", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + REQUEST_TOKEN).equals(auth)) {
                respond(ex, 401, "{}");
                return;
            }
            String audience = null;
            for (String kv : ex.getRequestURI().getRawQuery().split("&")) {
                if (kv.startsWith("audience=")) {
                    audience = URLDecoder.decode(kv.substring(9), StandardCharsets.UTF_8);
                }
            }
            String aud = audience;
            respond(
                    ex,
                    200,
                    "{\"value\":\""
                            + mint(b -> {
                                b.audience(aud);
                                pipelineClaims.forEach(b::claim);
                            })
                            + "\"}");
        });
        server.start();
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String jwksUrl() {
        return issuer() + "/jwks";
    }

    public String requestUrl() {
        return issuer() + "/token?api-version=2.0";
    }

    /**
     * Runs {@code npm} as a GitHub Actions job would, with no npm token at all: it asks this issuer for an ID token
     * and exchanges it at the registry itself. Provenance is off (it would need Sigstore); {@code extra} follows
     * {@code args}.
     */
    public Cli.Result githubActionsRun(Npm npm, java.nio.file.Path cwd, java.util.List<String> extra, String... args) {
        Map<String, String> env = Map.of(
                "GITHUB_ACTIONS",
                "true",
                "CI",
                "true",
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                requestUrl(),
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                REQUEST_TOKEN);
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.add("--provenance=false");
        all.addAll(extra);
        return npm.runWithEnv(cwd, env, java.util.List.of(), all.toArray(String[]::new));
    }

    /** Configuration keys that make a registry trust this issuer as a provider of the given type. */
    public Map<String, String> config(String type) {
        return Map.of(
                "trust.defaultIssuers",
                "false",
                "trust.issuers.test.type",
                type,
                "trust.issuers.test.issuer",
                issuer(),
                "trust.issuers.test.jwks",
                jwksUrl());
    }

    /** A valid token (iss, fresh iat/nbf/exp by the given clock, a random jti); the customiser may change anything. */
    public String mint(Consumer<JWTClaimsSet.Builder> customise) {
        long now = clock.millis();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject("repo:alice/ci-pkg:ref:refs/heads/main")
                .issueTime(new Date(now))
                .notBeforeTime(new Date(now))
                .expirationTime(new Date(now + 300_000))
                .jwtID(UUID.randomUUID().toString());
        customise.accept(b);
        return sign(
                b.build(),
                key,
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(key.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build());
    }

    public static String sign(JWTClaimsSet claims, RSAKey key, JWSHeader header) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public RSAKey key() {
        return key;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
