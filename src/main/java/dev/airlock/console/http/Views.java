package dev.airlock.console.http;

import dev.airlock.console.view.Chrome;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The console's templates (src/main/jte), compiled to classes at build time by jte-maven-plugin with HTML output
 * escaped by default: every {@code ${…}} is escaped for where it stands (text or attribute), so package-supplied
 * text cannot become markup unless a template says {@code $unsafe}, which none does. See docs/adr/0007.
 */
final class Views {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(
            null, ContentType.Html, Views.class.getClassLoader(), "dev.airlock.console.templates");

    /** Renders {@code template} with {@code chrome} (the frame) and {@code page} (its model) as the response. */
    void render(Context ctx, int status, String template, Chrome chrome, Object page) {
        String html = html(template, chrome, page);
        ctx.status(status);
        ctx.contentType("text/html; charset=utf-8");
        ctx.result(html);
    }

    String html(String template, Chrome chrome, Object page) {
        StringOutput out = new StringOutput();
        engine.render(template, Map.of("chrome", chrome, "page", page), out);
        return out.toString();
    }
}
