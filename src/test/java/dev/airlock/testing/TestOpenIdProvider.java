package dev.airlock.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real, certified OpenID provider for tests: panva's {@code oidc-provider} (pinned in pom.xml, installed into
 * target/clients) run with Node from {@code src/test/resources/oidc/provider.mjs} on a loopback port, with the
 * clients and users (and their claims: user name, e-mail, groups, amr, acr) the test gives it. Its own development
 * sign-in form accepts any password for a configured user; {@link Agent} drives it over HTTP like a browser.
 */
public final class TestOpenIdProvider implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*action=\"([^\"]+)\"");
    public final int port;
    private final Path home;
    private final Process process;

    /** A client registered at the provider. */
    public record Client(String id, String secret, List<String> redirectUris) {}

    /** Picks the port first, so the registry's configuration can name the issuer before the provider starts. */
    public static int reservePort() {
        return TestRegistry.freePort();
    }

    public static String issuerFor(int port) {
        return "http://localhost:" + port;
    }

    public TestOpenIdProvider(int port, List<Client> clients, Map<String, Map<String, Object>> users) {
        this.port = port;
        try {
            this.home = Files.createTempDirectory("airlock-oidc");
            Path config = home.resolve("provider.json");
            Files.writeString(
                    config,
                    JSON.writeValueAsString(Map.of(
                            "clients",
                            clients.stream()
                                    .map(c -> Map.of(
                                            "client_id",
                                            c.id(),
                                            "client_secret",
                                            c.secret(),
                                            "redirect_uris",
                                            c.redirectUris()))
                                    .toList(),
                            "users",
                            users.entrySet().stream()
                                    .collect(java.util.stream.Collectors.toMap(
                                            Map.Entry::getKey, e -> Map.of("claims", e.getValue()))))));
            Path script = Path.of("src/test/resources/oidc/provider.mjs").toAbsolutePath();
            // the script imports oidc-provider from target/clients/node_modules: run it from there
            Path copy = Clients.root().resolve("airlock-oidc-provider.mjs");
            Files.copy(script, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ProcessBuilder pb = new ProcessBuilder(
                            "node", copy.toString(), config.toString(), String.valueOf(port), issuer())
                    .directory(Clients.root().toFile())
                    .redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(Cli.baseEnv(home));
            this.process = pb.start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        seen.append(line).append('\n');
                        if (line.equals("listening")) {
                            return true;
                        }
                    }
                    return false;
                } catch (IOException e) {
                    return false;
                }
            });
            if (!ready.get(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("oidc-provider did not start:\n" + seen);
            }
            // keep draining its output so it never blocks on a full pipe
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // discarded
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            drain.setDaemon(true);
            drain.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * How {@code account}'s sign-ins from now on happen: the {@code amr} values (comma-separated, or null for none),
     * the {@code acr} (or null), and how many seconds ago ({@code auth_time}).
     */
    public void nextLogin(String account, String amr, String acr, int ageSeconds) {
        StringBuilder q = new StringBuilder("/test/login?account=")
                .append(URLEncoder.encode(account, StandardCharsets.UTF_8))
                .append("&age=")
                .append(ageSeconds);
        if (amr != null) {
            q.append("&amr=").append(URLEncoder.encode(amr, StandardCharsets.UTF_8));
        }
        if (acr != null) {
            q.append("&acr=").append(URLEncoder.encode(acr, StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = new Agent().get(issuer() + q);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the provider did not take the login setting: " + r.statusCode());
        }
    }

    /**
     * A browser signed in to {@code registry}'s console through the provider {@code name} (configured there as
     * auth.oidc.NAME) as {@code account}, with a plain password sign-in at the provider.
     */
    public Agent signedIn(TestRegistry registry, String name, String account) {
        nextLogin(account, "pwd", null, 0);
        Agent agent = new Agent();
        HttpResponse<String> start =
                agent.get(registry.consoleUrl() + "-/console/sso/" + name + "/start?next=/-/console/");
        HttpResponse<String> done = agent.get(agent.signInAt(Agent.location(start), account, issuer()));
        if (done.statusCode() != 200) {
            throw new AssertionError(
                    "the sign-in through the provider failed: " + done.statusCode() + " " + done.body());
        }
        return agent;
    }

    /** Stops both (either may be null: a start that failed half-way). */
    public static void stop(TestRegistry registry, TestOpenIdProvider provider) {
        if (registry != null) {
            registry.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    /** {@code account}'s groups claim from now on (as an administrator of the provider changes them). */
    public void setGroups(String account, String... groups) {
        HttpResponse<String> r = new Agent()
                .get(issuer() + "/test/groups?account=" + URLEncoder.encode(account, StandardCharsets.UTF_8)
                        + "&groups=" + URLEncoder.encode(String.join(",", groups), StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the provider did not take the groups: " + r.statusCode());
        }
    }

    public String issuer() {
        return issuerFor(port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files2.deleteTree(home);
    }

    /**
     * A browser without a screen: keeps cookies, follows no redirect by itself, and can sign in at the provider's
     * development form.
     */
    public static final class Agent {
        private final HttpClient http;
        private final CookieManager cookies;

        public Agent() {
            this.cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
            this.http = HttpClient.newBuilder()
                    .cookieHandler(cookies)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
        }

        /** The value of this browser's cookie {@code name}, or null. */
        public String cookie(String name) {
            return cookies.getCookieStore().getCookies().stream()
                    .filter(c -> c.getName().equals(name))
                    .map(java.net.HttpCookie::getValue)
                    .findFirst()
                    .orElse(null);
        }

        /** Forgets this browser's session at the provider (oidc-provider's cookies start with "_"). */
        public void signOutAtProvider() {
            var store = cookies.getCookieStore();
            for (java.net.HttpCookie c : List.copyOf(store.getCookies())) {
                if (c.getName().startsWith("_")) {
                    store.getURIs().forEach(u -> store.remove(u, c));
                }
            }
        }

        /** Puts a cookie into this browser, for {@code url}'s host (a cookie moved from another browser). */
        public void setCookie(String url, String name, String value) {
            java.net.HttpCookie c = new java.net.HttpCookie(name, value);
            c.setPath("/");
            c.setVersion(0);
            cookies.getCookieStore().add(URI.create(url), c);
        }

        public HttpResponse<String> get(String url) {
            return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
        }

        public HttpResponse<String> post(String url, Map<String, String> form) {
            StringBuilder body = new StringBuilder();
            form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build());
        }

        private HttpResponse<String> send(HttpRequest request) {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Where a redirect answer points, resolved against the request's URL. */
        /**
         * Where a page sends the browser on by itself: a console page that goes to the identity provider after a form
         * (a {@code <meta http-equiv="refresh">}, since the console's CSP forbids a form's redirect to another origin).
         */
        public static String refreshTarget(HttpResponse<String> r) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "<meta http-equiv=\"refresh\" content=\"0;url=([^\"]+)\">")
                    .matcher(r.body());
            if (r.statusCode() != 200 || !m.find()) {
                throw new AssertionError("no page that goes on by itself: " + r.statusCode() + " " + r.body());
            }
            String url = m.group(1)
                    .replace("&#34;", "\"")
                    .replace("&#39;", "'")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&");
            return r.uri().resolve(url).toString();
        }

        public static String location(HttpResponse<String> r) {
            String l = r.headers()
                    .firstValue("Location")
                    .orElseThrow(() -> new AssertionError("no redirect: " + r.statusCode() + " " + r.body()));
            return r.uri().resolve(l).toString();
        }

        /**
         * Follows the provider's redirects from {@code authorizationUrl}, signs in as {@code user} at its form, and
         * returns the URL it finally sends the browser to (the relying party's callback), without visiting it.
         */
        public String signInAt(String authorizationUrl, String user, String providerOrigin) {
            String url = authorizationUrl;
            for (int hops = 0; hops < 20; hops++) {
                if (!url.startsWith(providerOrigin)) {
                    return url;
                }
                HttpResponse<String> r = get(url);
                if (r.statusCode() / 100 == 3) {
                    url = location(r);
                    continue;
                }
                Matcher m = FORM_ACTION.matcher(r.body());
                if (r.statusCode() != 200 || !m.find()) {
                    throw new AssertionError("unexpected page at the provider: " + r.statusCode() + " " + r.body());
                }
                String action = URI.create(url).resolve(m.group(1)).toString();
                Map<String, String> form = r.body().contains("name=\"login\"")
                        ? Map.of("prompt", "login", "login", user, "password", "any")
                        : Map.of("prompt", "consent");
                HttpResponse<String> posted = post(action, form);
                if (posted.statusCode() / 100 != 3) {
                    throw new AssertionError(
                            "the provider's form answered " + posted.statusCode() + " " + posted.body());
                }
                url = location(posted);
            }
            throw new AssertionError("too many redirects at the provider");
        }
    }
}
