package dev.airlock.e2e;

import static dev.airlock.testing.Expect.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Files2;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.Npm;
import dev.airlock.testing.TestOidcIssuer;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitLab (a self-managed instance) and CircleCI pipelines through the real npm CLI, which reads the ID token from
 * NPM_ID_TOKEN when GITLAB_CI or CIRCLECI is set. Both issuers are operator-configured, as docs/trusted-publishing.md shows.
 */
class TrustedPublishingProvidersIT {
    static final String ORG = "11111111-1111-4111-8111-111111111111";
    static final String PROJECT = "22222222-2222-4222-8222-222222222222";
    static final String PIPELINE = "33333333-3333-4333-8333-333333333333";
    static TestOidcIssuer issuer;
    static TestRegistry registry;
    static Npm alice;
    static Authenticator app;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        MutableClock clock = new MutableClock();
        issuer = new TestOidcIssuer(clock);
        registry = TestRegistry.start(
                Map.of(
                        "trust.defaultIssuers",
                        "false",
                        "trust.issuers.selfgitlab.type",
                        "gitlab",
                        "trust.issuers.selfgitlab.issuer",
                        issuer.issuer() + "/gitlab",
                        "trust.issuers.selfgitlab.jwks",
                        issuer.jwksUrl(),
                        "trust.issuers.circle.type",
                        "circleci",
                        "trust.issuers.circle.issuer",
                        issuer.issuer() + "/circleci/org/*",
                        "trust.issuers.circle.jwks",
                        issuer.jwksUrl()),
                clock);
        String token = registry.userWithToken("alice");
        app = registry.enableTwoFactor("alice", token, "auth-and-writes");
        alice = Npm.withToken(tmp.resolve("alice"), registry.url(), token);
        for (String name : new String[] {"gl-pkg", "cc-pkg"}) {
            ok(alice.run(pkg(name, "1.0.0"), "publish", "--otp=" + app.next()));
        }
    }

    @AfterAll
    static void stop() {
        registry.close();
        issuer.close();
    }

    static Path pkg(String name, String version) {
        Path d = tmp.resolve("pkgs").resolve(name + "-" + version);
        Files2.write(d.resolve("package.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        Files2.write(d.resolve("index.js"), "module.exports = 1;\n");
        return d;
    }

    static Cli.Result pipeline(Path cwd, Map<String, String> ciEnv, String... args) {
        Npm ci = new Npm(tmp.resolve("ci-" + System.nanoTime()), registry.url());
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--provenance=false";
        all[args.length + 1] = "--loglevel=verbose";
        return ci.runWithEnv(cwd, ciEnv, List.of(), all);
    }

    @Test
    void aSelfManagedGitLabPipelineStages() {
        ok(alice.run(
                tmp,
                "trust",
                "gitlab",
                "gl-pkg",
                "--file=.gitlab-ci.yml",
                "--project=platform/tools/gl-pkg",
                "--allow-stage-publish",
                "--yes",
                "--otp=" + app.next()));
        String jwt = issuer.mint(b -> b.issuer(issuer.issuer() + "/gitlab")
                .audience("npm:127.0.0.1")
                .claim("project_path", "platform/tools/gl-pkg")
                .claim("namespace_id", "77")
                .claim("ci_config_ref_uri", "gitlab.internal/platform/tools/gl-pkg//.gitlab-ci.yml@refs/heads/main")
                .claim("ref", "main")
                .claim("sha", "feedface")
                .claim("pipeline_id", "555"));
        Cli.Result staged = ok(pipeline(
                pkg("gl-pkg", "1.1.0"),
                Map.of("GITLAB_CI", "true", "CI", "true", "NPM_ID_TOKEN", jwt),
                "stage",
                "publish"));
        assertThat(staged.stdout()).contains("staged with id");
        String list = ok(alice.run(tmp, "stage", "list", "gl-pkg")).stdout();
        assertThat(list)
                .contains("staged by: gitlab:platform/tools/gl-pkg (oidc)")
                .contains("ciRunId: 555");

        String wrongFile = issuer.mint(b -> b.issuer(issuer.issuer() + "/gitlab")
                .audience("npm:127.0.0.1")
                .claim("project_path", "platform/tools/gl-pkg")
                .claim("namespace_id", "77")
                .claim("ci_config_ref_uri", "gitlab.internal/platform/tools/gl-pkg//evil.yml@refs/heads/main"));
        Cli.Result refused = pipeline(
                pkg("gl-pkg", "1.2.0"),
                Map.of("GITLAB_CI", "true", "CI", "true", "NPM_ID_TOKEN", wrongFile),
                "stage",
                "publish");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.all()).contains("ENEEDAUTH");
    }

    @Test
    void aCircleCiPipelineStages() {
        ok(alice.run(
                tmp,
                "trust",
                "circleci",
                "cc-pkg",
                "--org-id=" + ORG,
                "--project-id=" + PROJECT,
                "--pipeline-definition-id=" + PIPELINE,
                "--vcs-origin=github.com/alice/cc-pkg",
                "--allow-stage-publish",
                "--yes",
                "--otp=" + app.next()));
        String jwt = issuer.mint(b -> b.issuer(issuer.issuer() + "/circleci/org/" + ORG)
                .audience("npm:127.0.0.1")
                .claim("oidc.circleci.com/org-id", ORG)
                .claim("oidc.circleci.com/project-id", PROJECT)
                .claim("oidc.circleci.com/pipeline-definition-id", PIPELINE)
                .claim("oidc.circleci.com/vcs-origin", "github.com/alice/cc-pkg")
                .claim("oidc.circleci.com/pipeline-id", "pl-9"));
        ok(pipeline(
                pkg("cc-pkg", "1.1.0"),
                Map.of("CIRCLECI", "true", "CI", "true", "NPM_ID_TOKEN", jwt),
                "stage",
                "publish"));
        assertThat(ok(alice.run(tmp, "stage", "list", "cc-pkg")).stdout())
                .contains("staged by: circleci:github.com/alice/cc-pkg (oidc)");

        String otherProject = issuer.mint(b -> b.issuer(issuer.issuer() + "/circleci/org/" + ORG)
                .audience("npm:127.0.0.1")
                .claim("oidc.circleci.com/org-id", ORG)
                .claim("oidc.circleci.com/project-id", "44444444-4444-4444-8444-444444444444")
                .claim("oidc.circleci.com/pipeline-definition-id", PIPELINE)
                .claim("oidc.circleci.com/vcs-origin", "github.com/alice/cc-pkg"));
        Cli.Result refused = pipeline(
                pkg("cc-pkg", "1.2.0"),
                Map.of("CIRCLECI", "true", "CI", "true", "NPM_ID_TOKEN", otherProject),
                "stage",
                "publish");
        assertThat(refused.exit()).isNotZero();
    }
}
