package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.testing.AirlockCommand;
import dev.airlock.testing.Authenticator;
import dev.airlock.testing.Cli;
import dev.airlock.testing.Clients;
import dev.airlock.testing.Files2;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Quick tour", run as printed: every command of its {@code sh} blocks, in order, with the real npm
 * 11.19.1 in bash (npm is on the PATH; HOME is a fresh directory, so `npm config set` writes its own ~/.npmrc), and
 * {@code ./airlock …} through the in-process command runner. Three terminals: the operator's (lines starting with
 * {@code ./airlock}), the maintainer's, and CI's (the block after "In CI", started in the maintainer's checkout of
 * my-package, with its own ~/.npmrc). Each command's trailing comment is a claim about what it prints or does; every
 * such claim has a check below, and the test fails if the README and the checks drift apart.
 *
 * <p>Substitutions, and only these, are made before a command runs:
 * <ul>
 *   <li>{@code 127.0.0.1:4873} / {@code localhost:4873} → the test server's port;</li>
 *   <li>each {@code --otp=123456} → a fresh code from the authenticator set up by {@code npm profile enable-2fa};</li>
 *   <li>the example stage id {@value #EXAMPLE_STAGE_ID} → the id {@code npm stage publish} printed;</li>
 *   <li>{@code npm_…} → the token {@code npm token create} printed;</li>
 *   <li>{@code ./airlock} commands get {@code --data DIR} (a temporary directory instead of ./data), and
 *       {@code ./airlock serve} starts the test server on that directory (on a free port, in this JVM);</li>
 *   <li>the environment variable {@code TOKEN} is set to the maintainer's token from ~/.npmrc, as the text says.</li>
 * </ul>
 * Prompts are answered as the README says: the login prompts with the comment's user name and password, npm's password
 * prompts with that password, and the authenticator code with one computed from the secret npm printed.
 */
class ReadmeTourIT {
    static final String EXAMPLE_STAGE_ID = "2755c973-e669-4c51-904c-3561025c0e69";
    static final Pattern STAGE_ID = Pattern.compile("staged with id ([0-9a-f-]{36})");

    /** Steps not run, keyed like {@link Step#key()}, with the reason. Keep this list short. */
    static final Map<String, String> NOT_RUN = Map.of(
            "maintainer: npm stage approve " + EXAMPLE_STAGE_ID,
            "confirming with a security key needs a key added in the console with a browser, and the version was already"
                    + " approved with a code above; SecurityKeysIT runs exactly this (npm in a pseudo-terminal, the"
                    + " confirmation page in Chromium with a virtual authenticator)",
            "maintainer: npm view my-package@1.1.0 airlock --json",
            "shows approvedBy with factor security-key only after the security-key approval above (not run); SecurityKeysIT"
                    + " checks the factor recorded by a key approval");

    record Step(String terminal, String command, String comment) {
        String key() {
            return terminal + ": " + command;
        }
    }

    /** A claim's check: the comment the README must print next to the command, whether it fails, and the assertions. */
    record Check(String comment, boolean fails, Consumer<Cli.Result> then) {}

    @TempDir
    Path tmp;

    final MutableClock clock = new MutableClock();
    TestRegistry registry;
    Path dataDir;
    Authenticator app;
    String password;
    String stageId;
    String ciToken;
    final Map<String, Path> cwd = new HashMap<>();

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theQuickTourWorksAsPrinted() throws Exception {
        List<Step> steps = tourSteps(Files.readString(Path.of("README.md")));
        assertThat(steps).as("the tour's commands").hasSizeGreaterThan(30);
        dataDir = tmp.resolve("data");
        Path bin = tmp.resolve("bin");
        Files2.write(bin.resolve("npm"), "#!/bin/sh\nexec node '" + Clients.npmCli() + "' \"$@\"\n");
        bin.resolve("npm").toFile().setExecutable(true);
        Files2.write(tmp.resolve("global-npmrc"), "");
        cwd.put("maintainer", Files.createDirectories(tmp.resolve("maintainer")));
        Map<String, Check> checks = checks();
        Set<String> used = new LinkedHashSet<>();
        for (Step step : steps) {
            if (NOT_RUN.containsKey(step.key())) {
                used.add(step.key());
                continue;
            }
            Check check = checks.get(step.key());
            assertThat(check)
                    .as("no check for the README tour step `" + step.key() + "` (comment: " + step.comment()
                            + "); add one to ReadmeTourIT")
                    .isNotNull();
            assertThat(step.comment())
                    .as("what the README says `" + step.command() + "` prints or does")
                    .isEqualTo(check.comment());
            used.add(step.key());
            Cli.Result r = step.terminal().equals("operator") ? operator(step.command()) : shell(step, bin);
            if (check.fails()) {
                assertThat(r.exit()).as(step.key() + "\n" + r).isNotZero();
            } else {
                assertThat(r.exit()).as(step.key() + "\n" + r).isZero();
            }
            check.then().accept(r);
        }
        Set<String> unused = new LinkedHashSet<>(checks.keySet());
        unused.addAll(NOT_RUN.keySet());
        unused.removeAll(used);
        assertThat(unused).as("checks for steps the README no longer has").isEmpty();
    }

    /** The shell code blocks of the "Quick tour" section, one step per command line, in order. */
    static List<Step> tourSteps(String readme) {
        int start = readme.indexOf("\n## Quick tour");
        assertThat(start).as("README has a Quick tour section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        String[] lines =
                readme.substring(start, end < 0 ? readme.length() : end).split("\n");
        List<Step> steps = new ArrayList<>();
        boolean inBlock = false;
        String blockTerminal = "maintainer";
        String lastProse = "";
        for (String line : lines) {
            if (line.startsWith("```")) {
                inBlock = !inBlock && line.equals("```sh");
                blockTerminal = lastProse.startsWith("In CI") ? "ci" : "maintainer";
                continue;
            }
            if (!inBlock) {
                if (!line.isBlank()) {
                    lastProse = line;
                }
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            if (line.trim().startsWith("#")) {
                Step prev = steps.remove(steps.size() - 1);
                String more = line.trim().substring(1).trim();
                steps.add(new Step(
                        prev.terminal(),
                        prev.command(),
                        prev.comment().isEmpty() ? more : prev.comment() + "\n" + more));
                continue;
            }
            int hash = commentStart(line);
            String command = (hash < 0 ? line : line.substring(0, hash)).trim();
            String comment = hash < 0 ? "" : line.substring(hash + 1).trim();
            String terminal = command.matches("(echo '[^']*' \\| )?\\./airlock .*") ? "operator" : blockTerminal;
            steps.add(new Step(terminal, command, comment));
        }
        return steps;
    }

    /** Where a shell comment starts: a # after whitespace, outside quotes; -1 if none. */
    static int commentStart(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && i > 0 && Character.isWhitespace(line.charAt(i - 1))) {
                return i;
            }
        }
        return -1;
    }

    /** ./airlock ARGS (optionally fed by echo '…' |) through the in-process runner, on the tour's data directory. */
    Cli.Result operator(String command) {
        Matcher m = Pattern.compile("(?:echo '([^']*)' \\| )?\\./airlock (.*)").matcher(command);
        assertThat(m.matches()).as(command).isTrue();
        List<String> args = words(m.group(2));
        if (args.equals(List.of("serve"))) {
            registry = TestRegistry.startOn(dataDir, clock);
            return new Cli.Result(0, "", "");
        }
        args.add("--data");
        args.add(dataDir.toString());
        String out = AirlockCommand.run(m.group(1) == null ? "" : m.group(1) + "\n", args.toArray(String[]::new));
        int exit = Integer.parseInt(out.substring("exit=".length(), out.indexOf('\n')));
        return new Cli.Result(exit, out.substring(out.indexOf('\n') + 1), "");
    }

    /** Splits ARGS as a shell would (single and double quotes, no expansions). */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(s);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return out;
    }

    /** Runs the command line in bash in its terminal's directory and environment, after the substitutions above. */
    Cli.Result shell(Step step, Path bin) {
        String terminal = step.terminal();
        Path home = tmp.resolve("home-" + terminal);
        Path dir = cwd.computeIfAbsent(terminal, t -> tmp.resolve("maintainer/my-package"));
        String command = step.command()
                .replace("127.0.0.1:4873", "127.0.0.1:" + registry.port)
                .replace("localhost:4873", "localhost:" + registry.port)
                .replace(EXAMPLE_STAGE_ID, String.valueOf(stageId))
                .replace("npm_…", String.valueOf(ciToken));
        while (command.contains("--otp=123456")) {
            command = command.replaceFirst("--otp=123456", "--otp=" + app.next());
        }
        Map<String, String> env = new HashMap<>(Cli.baseEnv(home));
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.put("NPM_CONFIG_GLOBALCONFIG", tmp.resolve("global-npmrc").toString());
        env.put("NPM_CONFIG_UPDATE_NOTIFIER", "false");
        env.put("NPM_CONFIG_AUDIT", "false");
        env.put("NPM_CONFIG_FUND", "false");
        env.put("NPM_CONFIG_FETCH_RETRIES", "0");
        Path npmrc = home.resolve(".npmrc");
        if (Files.exists(npmrc)) {
            Matcher token = Pattern.compile(":_authToken=(\\S+)").matcher(Files2.read(npmrc));
            if (token.find()) {
                env.put("TOKEN", token.group(1));
            }
        }
        Path where = tmp.resolve("cwd-" + terminal);
        String script = "cd '" + dir + "' || exit 97\n" + command + "\nrc=$?\npwd > '" + where + "'\nexit $rc\n";
        Cli.Result r = Cli.run(dir, env, List.of("bash", "-c", script), answers(step), 300, false);
        cwd.put(terminal, Path.of(Files2.read(where).trim()));
        return r;
    }

    /** Replies to the prompts a step shows, as the README tells the reader to answer them. */
    List<Cli.Answer> answers(Step step) {
        if (step.command().equals("npm login --auth-type=legacy")) {
            Matcher m = Pattern.compile("Username: (\\S+), Password: (\\S+)").matcher(step.comment());
            assertThat(m.matches()).as(step.comment()).isTrue();
            password = m.group(2);
            return List.of(
                    new Cli.Answer("Username:", out -> m.group(1)), new Cli.Answer("Password:", out -> m.group(2)));
        }
        if (step.command().startsWith("npm profile enable-2fa")) {
            return List.of(
                    new Cli.Answer("npm password:", out -> password),
                    new Cli.Answer("And an OTP code from your authenticator:", out -> {
                        Matcher m =
                                Pattern.compile("Or enter code: *([A-Z2-7]+)").matcher(out);
                        assertThat(m.find()).as(out).isTrue();
                        app = new Authenticator(m.group(1), clock);
                        return app.next();
                    }));
        }
        if (step.command().startsWith("npm token create")) {
            return List.of(new Cli.Answer("npm password:", out -> password));
        }
        return List.of();
    }

    JsonNode packument(String name) {
        return registry.http.get(name.replace("/", "%2f"), null).json();
    }

    Path here(String terminal) {
        return cwd.get(terminal);
    }

    /** Every tour step with the README's claim about it and how the test checks that claim. */
    Map<String, Check> checks() {
        Map<String, Check> c = new LinkedHashMap<>();
        c.put(
                "operator: echo 'correct-horse-battery' | ./airlock user add alice --email alice@example.com --password-stdin",
                new Check("", false, r -> assertThat(r.stdout()).contains("Created user alice")));
        c.put(
                "operator: echo 'battery-staple-horse' | ./airlock user add bob --email bob@example.com --password-stdin",
                new Check("", false, r -> assertThat(r.stdout()).contains("Created user bob")));
        c.put(
                "operator: ./airlock org create acme --owner alice",
                new Check("", false, r -> assertThat(r.stdout()).contains("Created org acme owned by alice")));
        c.put("operator: ./airlock serve", new Check("serves http://127.0.0.1:4873, data in ./data", false, r -> {
            assertThat(registry.http.get("-/ping", null).status()).isEqualTo(200);
            assertThat(registry.dataDir).isEqualTo(dataDir);
        }));
        c.put(
                "maintainer: npm config set registry http://127.0.0.1:4873/",
                new Check(
                        "",
                        false,
                        r -> assertThat(Files2.read(tmp.resolve("home-maintainer/.npmrc")))
                                .contains("registry=" + registry.url())));
        c.put(
                "maintainer: npm login --auth-type=legacy",
                new Check(
                        "Username: alice, Password: correct-horse-battery",
                        false,
                        r -> assertThat(r.stdout()).contains("Logged in on " + registry.url())));
        c.put(
                "maintainer: npm whoami",
                new Check("alice", false, r -> assertThat(r.stdout().trim()).isEqualTo("alice")));
        c.put(
                "maintainer: mkdir my-package && cd my-package && npm init -y",
                new Check(
                        "",
                        false,
                        r -> assertThat(Files2.read(here("maintainer").resolve("package.json")))
                                .contains("\"name\": \"my-package\"")
                                .contains("\"version\": \"1.0.0\"")));
        c.put(
                "maintainer: npm publish",
                new Check(
                        "+ my-package@1.0.0", false, r -> assertThat(r.stdout()).contains("+ my-package@1.0.0")));
        c.put(
                "maintainer: npm view my-package",
                new Check(
                        "my-package@1.0.0 | ISC | deps: none | versions: 1",
                        false,
                        r -> assertThat(r.stdout()).contains("my-package@1.0.0 | ISC | deps: none | versions: 1")));
        c.put(
                "maintainer: npm version patch && npm publish",
                new Check(
                        "v1.0.1 … + my-package@1.0.1",
                        false,
                        r -> assertThat(r.stdout()).contains("v1.0.1").contains("+ my-package@1.0.1")));
        c.put(
                "maintainer: npm dist-tag add my-package@1.0.1 stable",
                new Check(
                        "",
                        false,
                        r -> assertThat(packument("my-package")
                                        .path("dist-tags")
                                        .path("stable")
                                        .asText())
                                .isEqualTo("1.0.1")));
        c.put(
                "maintainer: npm deprecate my-package@1.0.0 \"use 1.0.1\"",
                new Check(
                        "",
                        false,
                        r -> assertThat(packument("my-package")
                                        .path("versions")
                                        .path("1.0.0")
                                        .path("deprecated")
                                        .asText())
                                .isEqualTo("use 1.0.1")));
        c.put(
                "maintainer: npm unpublish my-package@1.0.0",
                new Check("- my-package@1.0.0 (that version number can never be used again)", false, r -> {
                    assertThat(r.stdout()).contains("- my-package@1.0.0");
                    assertThat(packument("my-package").path("versions").has("1.0.0"))
                            .isFalse();
                    assertThat(packument("my-package")
                                    .path("dist-tags")
                                    .path("latest")
                                    .asText())
                            .isEqualTo("1.0.1");
                }));
        c.put(
                "maintainer: npm owner add bob my-package",
                new Check(
                        "+ bob (my-package)", false, r -> assertThat(r.stdout()).contains("+ bob (my-package)")));
        c.put(
                "maintainer: npm search my-package",
                new Check("", false, r -> assertThat(r.stdout()).contains("my-package")));
        c.put(
                "maintainer: mkdir ../app && cd ../app && npm init -y",
                new Check(
                        "",
                        false,
                        r -> assertThat(here("maintainer").resolve("package.json"))
                                .exists()));
        c.put("maintainer: npm install my-package", new Check("added 1 package", false, r -> {
            assertThat(r.stdout()).contains("added 1 package");
            assertThat(Files2.read(here("maintainer").resolve("node_modules/my-package/package.json")))
                    .contains("\"version\": \"1.0.1\"");
        }));
        c.put(
                "maintainer: mkdir ../lib && cd ../lib && npm init -y --scope=@acme",
                new Check(
                        "",
                        false,
                        r -> assertThat(Files2.read(here("maintainer").resolve("package.json")))
                                .contains("\"name\": \"@acme/lib\"")));
        c.put(
                "maintainer: npm publish --access restricted",
                new Check("+ @acme/lib@1.0.0, visible to the org's members only", false, r -> {
                    assertThat(r.stdout()).contains("+ @acme/lib@1.0.0");
                    assertThat(registry.http.get("@acme%2flib", null).status()).isEqualTo(404);
                }));
        c.put(
                "maintainer: npm org set acme bob developer",
                new Check("", false, r -> assertThat(r.stdout()).contains("Added bob as developer to acme")));
        c.put(
                "maintainer: npm team create acme:core && npm team add acme:core bob",
                new Check("", false, r -> assertThat(r.stdout()).contains("bob added to @acme:core")));
        c.put("maintainer: npm access grant read-write acme:core @acme/lib", new Check("", false, r -> {}));
        c.put(
                "maintainer: npm access list collaborators @acme/lib",
                new Check("bob: read-write", false, r -> assertThat(r.stdout()).contains("bob: read-write")));
        c.put(
                "maintainer: npm token list",
                new Check("", false, r -> assertThat(r.stdout()).contains("Token npm_")));
        c.put("maintainer: npm profile enable-2fa auth-and-writes", new Check("", false, r -> {
            // what the prose says: a QR code and the secret, then the first code, then recovery codes
            String out = r.stdout();
            assertThat(out.contains("Scan into your authenticator app")
                            && out.contains("Or enter code:")
                            && out.contains("2FA successfully enabled"))
                    .as(out.substring(Math.max(0, out.length() - 800)))
                    .isTrue();
            assertThat(out).containsPattern("(?s)recovery codes.*\\n\\t[a-z0-9]{12}\\n");
        }));
        c.put(
                "maintainer: npm profile get",
                new Check(
                        "two-factor auth: auth-and-writes",
                        false,
                        r -> assertThat(r.stdout()).contains("two-factor auth: auth-and-writes")));
        c.put(
                "maintainer: npm trust github my-package --file=publish.yml --repository=acme/my-package --allow-stage-publish --yes --otp=123456",
                new Check(
                        "",
                        false,
                        r -> assertThat(registry.http
                                        .get("-/package/my-package/trust", tokenOf("maintainer"))
                                        .body())
                                .contains("acme/my-package")));
        c.put(
                "maintainer: npm token create --bypass-2fa --packages=my-package --packages-and-scopes-permission=read-write --otp=123456",
                new Check("or that: asks for your password, prints Created token npm_… (for CI)", false, r -> {
                    assertThat(r.stdout()).contains("npm password:");
                    Matcher m =
                            Pattern.compile("Created token (npm_[A-Za-z0-9]+)").matcher(r.stdout());
                    assertThat(m.find()).as(r.toString()).isTrue();
                    ciToken = m.group(1);
                }));
        c.put(
                "operator: ./airlock policy set --package my-package --staging-required true",
                new Check("on the server", false, r -> assertThat(r.stdout()).contains("stagingRequired")));
        c.put("ci: npm config set registry http://127.0.0.1:4873/", new Check("", false, r -> {}));
        c.put(
                "ci: npm config set //127.0.0.1:4873/:_authToken=npm_…",
                new Check(
                        "",
                        false,
                        r -> assertThat(Files2.read(tmp.resolve("home-ci/.npmrc")))
                                .contains(ciToken)));
        c.put(
                "ci: npm version minor",
                new Check("v1.1.0", false, r -> assertThat(r.stdout()).contains("v1.1.0")));
        c.put("ci: npm stage publish", new Check("+ my-package@1.1.0 (staged with id 2755c973-…)", false, r -> {
            assertThat(r.stdout()).contains("+ my-package@1.1.0");
            Matcher m = STAGE_ID.matcher(r.stdout());
            assertThat(m.find()).as(r.toString()).isTrue();
            stageId = m.group(1);
            assertThat(packument("my-package").path("versions").has("1.1.0")).isFalse();
        }));
        c.put(
                "ci: npm publish",
                new Check(
                        "refused: this package requires staged publishing",
                        true,
                        r -> assertThat(r.all()).contains("requires staged publishing")));
        c.put(
                "maintainer: npm stage list",
                new Check(
                        "what waits for you", false, r -> assertThat(r.stdout()).contains(stageId)));
        c.put(
                "maintainer: npm stage view " + EXAMPLE_STAGE_ID,
                new Check("", false, r -> assertThat(r.stdout()).contains("version: 1.1.0")));
        c.put(
                "maintainer: npm stage download " + EXAMPLE_STAGE_ID,
                new Check(
                        "inspect the exact bytes",
                        false,
                        r -> assertThat(here("maintainer").resolve("my-package-1.1.0-" + stageId + ".tgz"))
                                .exists()));
        c.put(
                "maintainer: curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:4873/-/airlock/v1/stage/"
                        + EXAMPLE_STAGE_ID + "/review",
                new Check("what changed: install scripts, git/remote deps, binaries, diffs", false, r -> {
                    JsonNode review = Json.parse(r.stdout());
                    assertThat(review.has("error")).as(r.stdout()).isFalse();
                    assertThat(r.stdout()).contains("1.1.0");
                }));
        c.put(
                "maintainer: npm stage approve " + EXAMPLE_STAGE_ID + " --otp=123456",
                new Check(
                        "",
                        false,
                        r -> assertThat(r.stdout())
                                .contains("Staged package " + stageId + " approved and published successfully.")));
        c.put(
                "maintainer: cd ../app && npm install my-package@1.1.0",
                new Check(
                        "now it installs",
                        false,
                        r -> assertThat(Files2.read(here("maintainer").resolve("node_modules/my-package/package.json")))
                                .contains("\"version\": \"1.1.0\"")));
        return c;
    }

    String tokenOf(String terminal) {
        Matcher m = Pattern.compile(":_authToken=(\\S+)")
                .matcher(Files2.read(tmp.resolve("home-" + terminal).resolve(".npmrc")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
