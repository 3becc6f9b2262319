package dev.airlock.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The pinned real clients installed into target/clients by the build (scripts/install-clients.sh). */
public final class Clients {
    private Clients() {}

    public static Path root() {
        Path root =
                Path.of(System.getProperty("airlock.clients", "target/clients")).toAbsolutePath();
        if (!Files.isDirectory(root.resolve("node_modules"))) {
            throw new IllegalStateException("Real clients are not installed in " + root
                    + "; run `mvn verify` (its pre-integration-test phase installs them).");
        }
        return root;
    }

    public static Path npmCli() {
        return root().resolve("node_modules/npm/bin/npm-cli.js");
    }

    public static Path pnpm() {
        return root().resolve("node_modules/.bin/pnpm");
    }

    public static Path yarnBerry() {
        return root().resolve("node_modules/@yarnpkg/cli-dist/bin/yarn.js");
    }

    public static Path yarnClassic() {
        return root().resolve("node_modules/yarn-classic/bin/yarn.js");
    }

    public static Path bun() {
        return root().resolve("node_modules/.bin/bun");
    }
}
