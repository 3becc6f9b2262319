package dev.airlock.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.AirlockException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The manifest check without Node: what npm's publish normalisation makes equal, and what stays a mismatch. */
class ManifestCheckTest {
    static JsonNode json(String s) {
        return Json.parse(s.replace('\'', '"'));
    }

    static List<String> fields(String body, String tarball, String... files) {
        return ManifestCheck.differences(json(body), json(tarball), Set.of(files)).stream()
                .map(ManifestCheck.Difference::field)
                .toList();
    }

    @Test
    void npmsRewritesOfTheTarballsPackageJsonMatch() {
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'test':'mocha --reporter dot'}}",
                        "{'name':'a','version':'1.0.0','scripts':{'test':'node_modules/.bin/mocha --reporter dot'}}"))
                .isEmpty();
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','bin':{'tool':'bin/tool'},'directories':{'bin':'bin'}}",
                        "{'name':'a','version':'1.0.0','directories':{'bin':'bin'}}",
                        "package.json",
                        "bin/tool"))
                .isEmpty();
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'start':'node server.js'}}",
                        "{'name':'a','version':'1.0.0'}",
                        "package.json",
                        "server.js"))
                .isEmpty();
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'install':'node-gyp rebuild'},'gypfile':true}",
                        "{'name':'a','version':'1.0.0'}",
                        "package.json",
                        "binding.gyp"))
                .isEmpty();
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','dependencies':{'b':'github:u/b','c':'*'},'bundleDependencies':['c']}",
                        "{'name':'a','version':'1.0.0','dependencies':{'b':'u/b'},'bundledDependencies':['c']}"))
                .isEmpty();
    }

    @Test
    void confusedManifestsStayMismatches() {
        String tarball =
                "{'name':'a','version':'1.0.0','scripts':{'test':'node_modules/.bin/mocha'},'dependencies':{'b':'u/b'}}";
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'test':'mocha','postinstall':'node x'},"
                                + "'dependencies':{'b':'u/b'}}",
                        tarball))
                .containsExactly("scripts");
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'test':'mocha'},'dependencies':{'b':'u/other'}}",
                        tarball))
                .containsExactly("dependencies");
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'test':'mocha'},'dependencies':{'b':'github:u/b#evil'}}",
                        tarball))
                .containsExactly("dependencies");
        // a gyp file in the tarball means npm runs node-gyp rebuild at install: the request must say so
        assertThat(fields(
                        "{'name':'a','version':'1.0.0'}",
                        "{'name':'a','version':'1.0.0'}",
                        "package.json",
                        "binding.gyp"))
                .containsExactly("scripts", "gypfile");
        // the folder-only allowances take npm's exact values only
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'start':'node evil.js'}}",
                        "{'name':'a','version':'1.0.0'}"))
                .containsExactly("scripts");
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','scripts':{'install':'node-gyp rebuild'},'gypfile':true}",
                        "{'name':'a','version':'1.0.0','gypfile':false}"))
                .containsExactly("scripts", "gypfile");
        assertThat(fields(
                        "{'name':'a','version':'1.0.0','bin':{'tool':'bin/tool','sh':'bin/tool'},'directories':{'bin':'bin'}}",
                        "{'name':'a','version':'1.0.0','directories':{'bin':'bin'}}",
                        "package.json",
                        "bin/tool"))
                .containsExactly("bin");
    }

    @Test
    void theRefusalNamesTheKeysAndBothValues() {
        assertThatThrownBy(() -> ManifestCheck.requireSame(
                        json("{'name':'a','version':'1.0.0','scripts':{'postinstall':'node x'}}"),
                        json("{'name':'a','version':'1.0.0'}"),
                        Set.of("package.json")))
                .isInstanceOf(AirlockException.class)
                .hasMessageContaining("disagree on scripts")
                .hasMessageContaining("scripts.postinstall: request \"node x\", tarball has none")
                .hasMessageContaining("normalisation npm publish applies")
                .hasMessageNotContaining("from the package directory");
        assertThatCode(() -> ManifestCheck.requireSame(
                        json("{'name':'a','version':'1.0.0','scripts':{'t':'tap'}}"),
                        json("{'name':'a','version':'1.0.0','scripts':{'t':'./node_modules/.bin/tap'}}"),
                        Set.of("package.json")))
                .doesNotThrowAnyException();
    }
}
