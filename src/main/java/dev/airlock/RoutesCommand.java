package dev.airlock;

import dev.airlock.platform.config.ConfigLoader;
import dev.airlock.platform.http.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code airlock routes}: the route table, every HTTP endpoint with the module that handles it, read from a registry
 * assembled on a throwaway data directory (no configuration or data of yours is touched). docs/api.md holds the same
 * table, printed by {@code --markdown}; RouteTableTest fails when the two differ.
 */
@Command(name = "routes", description = "List every HTTP endpoint with the module that handles it.")
final class RoutesCommand implements Callable<Integer> {
    @Option(names = "--markdown", description = "print the table as docs/api.md holds it")
    boolean markdown;

    @Override
    public Integer call() throws IOException {
        List<Route> routes = routes();
        if (markdown) {
            System.out.println("| method | path | handler |");
            System.out.println("|---|---|---|");
            routes.forEach(
                    r -> System.out.println("| " + r.method() + " | `" + r.path() + "` | " + r.handler() + " |"));
        } else {
            int width = routes.stream().mapToInt(r -> r.path().length()).max().orElse(0);
            routes.forEach(r ->
                    System.out.println(String.format("%-7s %-" + width + "s  %s", r.method(), r.path(), r.handler())));
        }
        return 0;
    }

    /** Assembles the registry on a temporary data directory, on a free loopback port, and reads its route table. */
    static List<Route> routes() throws IOException {
        Path data = Files.createTempDirectory("airlock-routes");
        try (AirlockAssembly airlock = new AirlockAssembly(ConfigLoader.load(
                null, Map.of(), Map.of("data.dir", data.toString(), "server.host", "127.0.0.1", "server.port", "0")))) {
            airlock.serve();
            return airlock.routes();
        } finally {
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
