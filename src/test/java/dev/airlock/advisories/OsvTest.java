package dev.airlock.advisories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OSV files of GitHub's advisory database (real advisories, src/test/resources/advisories) as npm reads them. */
class OsvTest {
    static JsonNode advisory(String path) {
        try (InputStream in = OsvTest.class.getResourceAsStream("/advisories/github-reviewed/" + path)) {
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String MINIMIST = "2022/03/GHSA-xvch-5gv4-984h/GHSA-xvch-5gv4-984h.json";
    static final String LODASH = "2021/05/GHSA-35jh-r3h4-6jhm/GHSA-35jh-r3h4-6jhm.json";
    static final String XLSX = "2023/04/GHSA-4r6h-8v6p-xvw6/GHSA-4r6h-8v6p-xvw6.json";
    static final String LOG4J = "2021/12/GHSA-jfh8-c2jp-5v3q/GHSA-jfh8-c2jp-5v3q.json";

    @Test
    void minimistTwoAffectedEntriesBecomeOneRangeWithTheRegistryFields() {
        Advisory a = Osv.convert(advisory(MINIMIST)).advisory();
        assertThat(a.id()).isEqualTo("GHSA-xvch-5gv4-984h");
        assertThat(a.ranges()).isEqualTo(Map.of("minimist", ">=1.0.0 <1.2.6 || <0.2.4"));
        assertThat(a.title()).isEqualTo("Prototype Pollution in minimist");
        assertThat(a.url()).isEqualTo("https://github.com/advisories/GHSA-xvch-5gv4-984h");
        assertThat(a.severity()).isEqualTo("critical");
        assertThat(a.cwe()).containsExactly("CWE-1321");
        assertThat(a.aliases()).containsExactly("CVE-2021-44906");
        assertThat(a.cvssScore()).isEqualTo(9.8);
        assertThat(a.cvssVector()).isEqualTo("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");

        ObjectNode entry = a.bulkEntry("minimist");
        assertThat(entry.path("id").isIntegralNumber()).isTrue();
        assertThat(entry.path("vulnerable_versions").asText()).isEqualTo(">=1.0.0 <1.2.6 || <0.2.4");
        assertThat(entry.path("cvss").path("score").asDouble()).isEqualTo(9.8);
        assertThat(entry.path("cwe").get(0).asText()).isEqualTo("CWE-1321");

        for (String vulnerable : List.of("0.0.8", "0.2.3", "1.0.0", "1.2.5")) {
            assertThat(Ranges.satisfies(vulnerable, a.ranges().get("minimist")))
                    .as(vulnerable)
                    .isTrue();
        }
        for (String fixed : List.of("0.2.4", "1.2.6", "1.2.8")) {
            assertThat(Ranges.satisfies(fixed, a.ranges().get("minimist")))
                    .as(fixed)
                    .isFalse();
        }
    }

    @Test
    void lodashAffectsTwoPackagesWithItsScoreAndSeverity() {
        Advisory a = Osv.convert(advisory(LODASH)).advisory();
        assertThat(a.ranges()).isEqualTo(Map.of("lodash", "<4.17.21", "lodash-es", "<4.17.21"));
        assertThat(a.severity()).isEqualTo("high");
        assertThat(a.cvssScore()).isEqualTo(7.2);
        assertThat(a.cwe()).containsExactly("CWE-77", "CWE-94");
        assertThat(Ranges.satisfies("4.17.20", "<4.17.21")).isTrue();
        assertThat(Ranges.satisfies("4.17.21", "<4.17.21")).isFalse();
    }

    @Test
    void xlsxScoreOfALocalVector() {
        Advisory a = Osv.convert(advisory(XLSX)).advisory();
        assertThat(a.ranges()).isEqualTo(Map.of("xlsx", "<0.19.3"));
        assertThat(a.cvssScore()).isEqualTo(7.8);
        assertThat(a.severity()).isEqualTo("high");
    }

    @Test
    void otherEcosystemsAndWithdrawnAdvisoriesAreSkipped() {
        assertThat(Osv.convert(advisory(LOG4J)).skipped()).isEqualTo("not npm");
        assertThat(Cvss.base("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")).isEqualTo(10.0);

        ObjectNode withdrawn = (ObjectNode) advisory(MINIMIST);
        withdrawn.put("withdrawn", "2024-01-01T00:00:00Z");
        Osv.Converted c = Osv.convert(withdrawn);
        assertThat(c.advisory()).isNull();
        assertThat(c.skipped()).isEqualTo("withdrawn");
        assertThat(c.id()).isEqualTo("GHSA-xvch-5gv4-984h");
    }

    @Test
    void eventsBecomeNodeSemverRanges() {
        assertThat(ranges("{\"introduced\":\"0\"}")).containsExactly("*");
        assertThat(ranges("{\"introduced\":\"2.1.0\"}")).containsExactly(">=2.1.0");
        assertThat(ranges("{\"introduced\":\"0\"},{\"last_affected\":\"2.0.0\"}"))
                .containsExactly("<=2.0.0");
        assertThat(ranges("{\"introduced\":\"1.0.0\"},{\"last_affected\":\"1.4.0\"}"))
                .containsExactly(">=1.0.0 <=1.4.0");
        // several intervals in one range's events
        assertThat(
                        ranges(
                                "{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.1.0\"},{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.0.5\"}"))
                .containsExactly(">=1.0.0 <1.1.0", ">=2.0.0 <2.0.5");
        // GitHub's upper bound for a range without a fix
        JsonNode unfixed = Json.parse("{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}],"
                + "\"database_specific\":{\"last_known_affected_version_range\":\"<= 0.18.5\"}}");
        assertThat(Osv.ranges("X", unfixed)).containsExactly("<=0.18.5");
        // listed versions no range covers; GIT ranges ignored
        JsonNode listed = Json.parse("{\"ranges\":[{\"type\":\"GIT\",\"events\":[{\"introduced\":\"abc123\"}]},"
                + "{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.0.0\"}]}],"
                + "\"versions\":[\"0.9.0\",\"1.2.0\"]}");
        assertThat(Osv.ranges("X", listed)).containsExactly("<1.0.0", "1.2.0");
    }

    @Test
    void prereleasesAreMatchedAsNpmAuditMatchesThem() {
        // npm audit tests versions with includePrerelease: a prerelease below the fix is vulnerable
        assertThat(Ranges.satisfies("1.2.6-beta.1", ">=1.0.0 <1.2.6")).isTrue();
        assertThat(Ranges.satisfies("2.0.0-rc.1", ">=1.0.0 <1.2.6")).isFalse();
        assertThat(Ranges.satisfies("0.0.0-next.1", "<1.0.0")).isTrue();
        assertThat(Ranges.satisfies("3.0.0-alpha", "*")).isTrue();
        assertThat(Ranges.satisfies("1.2.0", ">=1.0.0 <1.1.0 || 1.2.0")).isTrue();
    }

    @Test
    void malformedFilesSaySo() {
        assertThatThrownBy(() -> Osv.convert(Json.parse("[1]"))).hasMessage("not a JSON object");
        assertThatThrownBy(() -> Osv.convert(Json.parse("{\"summary\":\"x\"}"))).hasMessage("no \"id\"");
        assertThatThrownBy(() -> Osv.convert(Json.parse("{\"id\":\"GHSA-2222-3333-4444\",\"affected\":[{\"package\":"
                        + "{\"ecosystem\":\"npm\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":"
                        + "[{\"introduced\":\"banana\"}]}]}]}")))
                .hasMessageContaining("\"banana\" is not a semver version");
    }

    @Test
    void numbersAreStableDistinctAndSafeForJavaScript() {
        long minimist = Osv.number("GHSA-xvch-5gv4-984h");
        assertThat(minimist).isEqualTo(Osv.number("GHSA-xvch-5gv4-984h"));
        assertThat(minimist).isNotEqualTo(Osv.number("GHSA-35jh-r3h4-6jhm"));
        assertThat(Osv.number("GHSA-xxxx-xxxx-xxxx")).isLessThan(9_007_199_254_740_991L);
        assertThat(Osv.number("GHSA-2222-2222-2223")).isEqualTo(1);
        long other = Osv.number("MAL-2024-1234");
        assertThat(other).isGreaterThanOrEqualTo(4_096_000_000_000_000L).isLessThanOrEqualTo(9_007_199_254_740_991L);
    }

    @Test
    void severityFallsBackOnTheScoreThenOnNpmsDefault() {
        assertThat(Osv.severity("MODERATE", 0)).isEqualTo("moderate");
        assertThat(Osv.severity("MEDIUM", 0)).isEqualTo("moderate");
        assertThat(Osv.severity("", 9.1)).isEqualTo("critical");
        assertThat(Osv.severity("", 3.1)).isEqualTo("low");
        assertThat(Osv.severity("", 0)).isEqualTo("high");
    }

    private static List<String> ranges(String events) {
        return Osv.ranges("X", Json.parse("{\"ranges\":[{\"type\":\"SEMVER\",\"events\":[" + events + "]}]}"));
    }
}
