package dev.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.platform.http.Route;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md's route table is the route table of the running registry: every endpoint the assembled server
 * registers is documented with its handler, and every documented endpoint exists.
 */
class RouteTableTest {
    private static final Pattern ROW = Pattern.compile("^\\| ([A-Z]+) \\| `([^`]+)` \\| ([A-Za-z]+) \\|$");

    @Test
    void docsApiListsExactlyTheRegisteredRoutes() throws Exception {
        List<Route> registered = RoutesCommand.routes();
        List<Route> documented = documented(Path.of("docs/api.md"));

        assertThat(registered).as("routes the server registers").hasSizeGreaterThan(50);
        assertThat(documented)
                .as("docs/api.md's route table (regenerate with ./airlock routes --markdown)")
                .containsExactlyInAnyOrderElementsOf(registered);
        assertThat(documented)
                .as("rows are sorted as airlock routes prints them")
                .isSorted();
    }

    @Test
    void theCommandPrintsTheTableTheDocsHold() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        var previous = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Airlock.commandLine().execute("routes", "--markdown");
        } finally {
            System.setOut(previous);
        }
        assertThat(exit).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("| GET | `/-/ping` | AccountRoutes |", "| PUT | `/<path>` | PublishRoutes |");
        assertThat(Files.readString(Path.of("docs/api.md"))).contains(printed.strip());
    }

    private static List<Route> documented(Path apiMd) throws Exception {
        List<Route> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(apiMd, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inTable = line.equals("## Route table");
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (inTable && m.matches()) {
                rows.add(new Route(m.group(1), m.group(2), m.group(3)));
            }
        }
        return rows;
    }
}
