package dev.airlock;

import dev.airlock.accounts.User;
import dev.airlock.orgs.OrgRole;
import dev.airlock.platform.config.AirlockConfig;
import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The airlock command line. Operators and scripts depend on these names and flags: keep them stable. */
@Command(
        name = "airlock",
        mixinStandardHelpOptions = true,
        version = "airlock 0.1.0",
        description =
                "A self-hosted npm registry where nothing automation uploads is installable until a human approves it.",
        subcommands = {
            Airlock.Serve.class,
            Airlock.UserCmd.class,
            Airlock.OrgCmd.class,
            ScimCommand.class,
            PolicyCommand.class,
            ReportCommand.class,
            TokensCommand.class,
            RoutesCommand.class,
            NamesCommand.class,
            ImportCommand.class,
            ProxyCommand.class,
            AuditCommand.class,
            AdvisoriesCommand.class,
            AlertsCommand.class,
            KeysCommand.class,
            VerifyCommand.class,
            BackupCommand.class,
            BackupCommand.RestoreCommand.class,
            MigrateCommand.class,
            DoctorCommand.class,
            BlobsCommand.class
        })
public final class Airlock {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Airlock());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof AirlockException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("airlock: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /** Options every command shares: where the configuration and the data are. */
    public static final class Common {
        @Option(names = "--config", description = "YAML configuration file")
        Path config;

        @Option(names = "--data", description = "data directory (default ./data)")
        String data;

        @Option(
                names = "--database",
                description = "database JDBC URL (default: SQLite in the data directory; see database.url)")
        String database;

        Map<String, String> flags = new HashMap<>();

        public AirlockConfig load() {
            flags.put("data.dir", data);
            if (database != null) {
                // a command that points itself elsewhere afterwards (migrate's verification pass) keeps its choice
                flags.putIfAbsent("database.url", database);
            }
            return ConfigLoader.load(config, System.getenv(), flags);
        }
    }

    @Command(name = "serve", description = "Start the registry.")
    static final class Serve implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--host", description = "interface to listen on (default 127.0.0.1)")
        String host;

        @Option(names = "--port", description = "port (default 4873; 0 picks a free port)")
        Integer port;

        @Option(names = "--url", description = "public URL clients use (default http://HOST:PORT)")
        String url;

        @Option(
                names = "--no-bundled-verifier",
                description = "do not publish the consumer's verifier @airlock/verify (docs/verification.md)")
        boolean noVerifier;

        /** Publishes the bundled verifier unless that version is here already; a failure never stops the server. */
        static void publishVerifier(AirlockAssembly airlock) {
            try {
                var limits = new dev.airlock.platform.tarball.TarballReader.Limits(
                        airlock.config.limits().maxUnpackedBytes(),
                        airlock.config.limits().maxEntries());
                var report = dev.airlock.imports.BundledVerifier.publish(
                        airlock.imports, limits, airlock.config.dataDir().resolve("tmp"));
                if (report.imported() > 0) {
                    System.err.println("Published the consumer's verifier (npx @airlock/verify)");
                }
                report.refused()
                        .forEach((what, why) -> System.err.println(
                                "airlock: the bundled verifier " + what + " was not published: " + why));
            } catch (RuntimeException e) {
                System.err.println("airlock: the bundled verifier was not published: " + e.getMessage());
            }
        }

        /** Serves the client doctor, npx airlock-doctor (docs/doctor.md); a failure never stops the server. */
        static void publishDoctor(AirlockAssembly airlock) {
            try {
                var report = dev.airlock.doctor.BundledDoctor.publish(
                        airlock.imports,
                        new dev.airlock.platform.tarball.TarballReader.Limits(
                                airlock.config.limits().maxUnpackedBytes(),
                                airlock.config.limits().maxEntries()),
                        airlock.config.dataDir().resolve("tmp"));
                report.refused()
                        .forEach((what, why) -> System.err.println(
                                "airlock: the client doctor " + what + " was not published: " + why));
            } catch (RuntimeException e) {
                System.err.println("airlock: the client doctor was not published: " + e.getMessage());
            }
        }

        @Override
        public Integer call() throws Exception {
            common.flags.put("server.host", host);
            if (port != null && port == 0) {
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
            }
            common.flags.put("server.port", port == null ? null : String.valueOf(port));
            common.flags.put("server.publicUrl", url);
            AirlockConfig config = common.load();
            AirlockAssembly airlock = new AirlockAssembly(config);
            int bound = airlock.serve();
            if (!noVerifier) {
                publishVerifier(airlock);
            }
            publishDoctor(airlock);
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                airlock.close();
                stop.countDown();
            }));
            System.out.println("Airlock listening on http://" + config.server().host() + ":" + bound);
            System.out.flush();
            stop.await();
            return 0;
        }
    }

    @Command(
            name = "user",
            description = "Manage users.",
            subcommands = {
                UserAdd.class,
                UserList.class,
                ResetCommands.Reset2fa.class,
                ResetCommands.Cancel.class,
                DeprovisioningCommands.Deactivate.class,
                DeprovisioningCommands.Reactivate.class
            })
    static final class UserCmd {}

    @Command(name = "add", description = "Create a user; the password is read from standard input.")
    static final class UserAdd implements Callable<Integer> {
        @Mixin
        Common common;

        @Parameters(index = "0", description = "user name")
        String name;

        @Option(names = "--email", required = true)
        String email;

        @Option(
                names = "--password-stdin",
                required = true,
                description = "read the password from the first line of stdin")
        boolean passwordStdin;

        @Option(names = "--admin", description = "make the user a registry administrator")
        boolean admin;

        @Override
        public Integer call() throws IOException {
            String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("no password on standard input");
            }
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                User u = airlock.users.add(Actor.operator(), name, email, password, admin);
                System.out.println("Created user " + u.name() + (u.admin() ? " (admin)" : ""));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List users.")
    static final class UserList implements Callable<Integer> {
        @Mixin
        Common common;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                for (User u : airlock.users.list()) {
                    System.out.println(u.name() + "\t" + u.email() + (u.admin() ? "\tadmin" : "")
                            + (airlock.users.isDeactivated(u.name()) ? "\tdeactivated" : ""));
                }
            }
            return 0;
        }
    }

    @Command(
            name = "org",
            description = "Manage organisations.",
            subcommands = {OrgCreate.class, OrgAdd.class})
    static final class OrgCmd {}

    @Command(name = "create", description = "Create an org (and its @scope) with a first owner.")
    static final class OrgCreate implements Callable<Integer> {
        @Mixin
        Common common;

        @Parameters(index = "0")
        String org;

        @Option(names = "--owner", required = true)
        String owner;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                airlock.orgs.createOrg(Actor.operator(), org, owner);
                System.out.println("Created org " + org + " owned by " + owner);
            }
            return 0;
        }
    }

    @Command(name = "add", description = "Add a member to an org, or change their role.")
    static final class OrgAdd implements Callable<Integer> {
        @Mixin
        Common common;

        @Parameters(index = "0")
        String org;

        @Parameters(index = "1")
        String user;

        @Option(names = "--role", defaultValue = "developer", description = "owner, admin or developer")
        String role;

        @Override
        public Integer call() {
            try (AirlockAssembly airlock = new AirlockAssembly(common.load())) {
                airlock.orgs.setMember(Actor.operator(), org, user, OrgRole.parse(role));
                System.out.println("Added " + user + " to " + org + " as " + role);
            }
            return 0;
        }
    }
}
