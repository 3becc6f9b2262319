package dev.airlock.console.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.console.view.Chrome;
import dev.airlock.console.view.ReviewView;
import dev.airlock.console.view.StagePages;
import dev.airlock.review.ReleaseReview;
import dev.airlock.staging.Stage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The review page rendered from its precompiled template with package-supplied text that is markup: every piece
 * comes out as text (the templates escape by default), in element content and in attributes alike.
 */
class TemplatesEscapeTest {
    static final String EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'";

    @Test
    void packageSuppliedTextIsEscapedEverywhereOnTheReviewPage() {
        Stage st = new Stage(
                "0b8c0000-0000-4000-8000-000000000000",
                "evil" + EVIL,
                "1.0.0" + EVIL,
                "latest" + EVIL,
                "ci" + EVIL,
                "token",
                null,
                "10.0.0.1" + EVIL,
                "sha512-abc" + EVIL,
                "0".repeat(40),
                2048,
                1,
                dev.airlock.staging.StageState.PENDING,
                0,
                86_400_000L,
                null,
                null,
                null);
        ReleaseReview review = new ReleaseReview(
                "evil",
                "1.0.0",
                "0.9.0" + EVIL,
                List.of(new ReleaseReview.Signal("high", "install-script" + EVIL, "Adds postinstall: " + EVIL)),
                List.of(new ReleaseReview.FileChange(
                        "lib/" + EVIL + ".js",
                        "changed",
                        10,
                        3_000_000,
                        "lib/" + EVIL + ".js",
                        true,
                        "omitted",
                        "too-large",
                        "Too large " + EVIL)),
                Map.of("lib/" + EVIL + ".js", "--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-old " + EVIL + "\n+new " + EVIL),
                10,
                3_000_000,
                1,
                1,
                262_144,
                1,
                1);
        String html = new Views()
                .html(
                        "stage.jte",
                        new Chrome("t" + EVIL, "alice" + EVIL, "csrf" + EVIL, "staged", 3_600_000L, "v"),
                        new StagePages.Review(
                                st,
                                0,
                                null,
                                ReviewView.of(review),
                                List.of(new StagePages.Fact("By", "ci" + EVIL)),
                                true,
                                null,
                                null,
                                List.of(new StagePages.Idp("corp", "Corp" + EVIL)),
                                "reject"));
        assertThat(html).doesNotContain("<script>alert").doesNotContain("<img src=x");
        // in an attribute the quotes cannot close it
        assertThat(html)
                .contains(
                        "name=\"integrity\" value=\"sha512-abc&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)>&#34;&#39;\"");
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;");
        // the page still has its own markup: the signal, the numbered diff lines, the decision forms
        assertThat(html)
                .contains("<li class=\"high\"")
                .contains("<tr class=\"del\"><td class=\"ln\">1</td>")
                .contains("id=\"approve-form\"")
                .contains("id=\"reject-idp\"")
                .contains("Confirm with Corp&lt;script&gt;")
                .contains("2.9 MiB")
                .contains("class=\"name-marked\"")
                .contains("Too large &lt;script&gt;");
    }
}
