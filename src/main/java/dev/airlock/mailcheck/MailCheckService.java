package dev.airlock.mailcheck;

import dev.airlock.platform.config.MailCheckConfig;
import dev.airlock.platform.db.Database;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The mail-domain check (docs/mail-check.md): for the registry's sending domain and every maintainer's mail domain
 * (or the domains named), SPF, DKIM, DMARC, MTA-STS and TLS-RPT, each with a verdict and what to fix. DKIM is checked
 * where the selector is known: the sending domain (with {@code mail.check.dkimSelector}); other domains use their own
 * selectors, which only their owners know. Domains are checked in parallel; a DNS failure is a verdict, not an error.
 */
public final class MailCheckService {
    private final MailCheckConfig config;
    private final Supplier<Map<String, Integer>> maintainerDomains;
    private final Dns dns;
    private final PolicyFetch fetch;

    private MailCheckService(MailCheckConfig config, Supplier<Map<String, Integer>> maintainerDomains) {
        this.config = config;
        this.maintainerDomains = maintainerDomains;
        this.dns = new Dns(config.dnsServer(), Duration.ofSeconds(config.timeoutSeconds()));
        this.fetch = new PolicyFetch(config.mtaStsPort(), config.timeoutSeconds(), config.trustedCaFile());
    }

    /** Checks the sending domain and the maintainers' domains found in {@code db}. */
    public static MailCheckService create(MailCheckConfig config, Database db) {
        return new MailCheckService(config, () -> JdbiMaintainerDomains.of(db));
    }

    /** Checks only domains named to {@link #check(List)} (the command line without a database). */
    public static MailCheckService withoutDatabase(MailCheckConfig config) {
        return new MailCheckService(config, Map::of);
    }

    /** The domains a check without names covers, each with why: the sending domain first, then maintainers'. */
    public Map<String, String> domains() {
        Map<String, String> out = new LinkedHashMap<>();
        if (!config.domain().isEmpty()) {
            out.put(config.domain(), "sending domain");
        }
        maintainerDomains
                .get()
                .forEach((d, n) -> out.merge(d, n + (n == 1 ? " maintainer" : " maintainers"), (a, b) -> a + ", " + b));
        return out;
    }

    /** Checks {@code named} (every domain of {@link #domains()} when empty). */
    public MailReport check(List<String> named) {
        Map<String, String> targets = new LinkedHashMap<>();
        if (named.isEmpty()) {
            targets.putAll(domains());
        } else {
            for (String n : named) {
                String d = n.trim().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
                if (!d.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+")) {
                    throw new IllegalArgumentException("\"" + n + "\" is not a domain name");
                }
                targets.put(d, d.equals(config.domain()) ? "sending domain" : "named");
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(8, targets.size())), r -> {
            Thread t = new Thread(r, "mail-check");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<List<Check>>> running = new LinkedHashMap<>();
            targets.forEach((d, why) -> running.put(d, pool.submit(() -> checks(d, why.startsWith("sending")))));
            // every query is bounded; the whole domain gets a few query timeouts more as a last resort
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.timeoutSeconds() * 6L);
            List<DomainReport> out = new ArrayList<>();
            for (var e : running.entrySet()) {
                out.add(new DomainReport(e.getKey(), targets.get(e.getKey()), await(e.getValue(), deadline)));
            }
            return new MailReport(dns.server(), out);
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Check> await(Future<List<Check>> f, long deadline) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return List.of(Check.fail("dns", "the checks did not finish in time", "check that the DNS server answers"));
        } catch (ExecutionException e) {
            return List.of(Check.fail("dns", "the check failed: " + e.getCause(), "report this to the maintainers"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(Check.fail("dns", "interrupted", "run the check again"));
        }
    }

    private List<Check> checks(String domain, boolean sending) {
        List<Check> out = new ArrayList<>();
        out.add(guard("spf", () -> MailRules.spf(domain, dns.txt(domain))));
        if (sending) {
            out.add(
                    config.dkimSelector().isEmpty()
                            ? Check.warn(
                                    "dkim",
                                    "no DKIM selector is configured, so the key could not be looked up",
                                    "sign mail with DKIM (notifications.dkim.*) or set mail.check.dkimSelector")
                            : guard(
                                    "dkim",
                                    () -> MailRules.dkim(
                                            domain,
                                            config.dkimSelector(),
                                            dns.txt(config.dkimSelector() + "._domainkey." + domain))));
        }
        out.add(guard("dmarc", () -> MailRules.dmarc(domain, dns.txt("_dmarc." + domain))));
        out.add(guard("mta-sts", () -> mtaSts(domain)));
        out.add(guard("tls-rpt", () -> MailRules.tlsRpt(domain, dns.txt("_smtp._tls." + domain))));
        return out;
    }

    private Check mtaSts(String domain) {
        List<String> txt = dns.txt("_mta-sts." + domain);
        List<String> mx = dns.mx(domain);
        String policy = null;
        String error = null;
        if (txt.stream().anyMatch(t -> t.toLowerCase(Locale.ROOT).startsWith("v=stsv1"))) {
            String host = "mta-sts." + domain;
            try {
                policy = fetch.fetch(host, dns.addresses(host));
            } catch (IOException e) {
                error = e.getMessage();
            }
        }
        return MtaSts.verdict(domain, txt, policy, error, mx);
    }

    private static Check guard(String name, Supplier<Check> check) {
        try {
            return check.get();
        } catch (Dns.Unresolved e) {
            return Check.fail(
                    name,
                    e.getMessage(),
                    "make sure the DNS server answers (mail.check.dnsServer), then run the check again");
        }
    }
}
