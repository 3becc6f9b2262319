package dev.airlock.platform.http;

import dev.airlock.shared.Actor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * One request as a {@link FastRoute} sees it: the method, the raw path, headers, the acting principal (resolved as the
 * routes resolve it, and handed on to them when the fast path declines), and the few kinds of answer a hot read needs.
 * {@link #body}, {@link #file}, {@link #notModified} and a {@link #tarball} that returns true complete the response;
 * headers set before a decline (a false return, or a throw before anything was sent) are harmless: the response is
 * reset before the routes answer.
 */
public final class FastExchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Requests.Settings settings;
    private Actor actor;
    private int status = 200;
    private long bytes = -1;

    FastExchange(Request request, Response response, Callback callback, Requests.Settings settings) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.settings = settings;
    }

    /** Whether this is a HEAD: the answer gets its headers and no body. */
    public boolean head() {
        return "HEAD".equals(request.getMethod());
    }

    /** The path as sent (still percent-encoded, as {@code HttpServletRequest.getRequestURI()} gives it). */
    public String path() {
        return request.getHttpURI().getPath();
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The authenticated actor (or anonymous), exactly as {@link Requests#actor} resolves it; throws as it throws. */
    public Actor actor() {
        if (actor == null) {
            String source = Requests.source(
                    Request.getRemoteAddr(request), header("X-Forwarded-For"), settings.trustedProxies());
            actor = Requests.resolve(
                    settings.authenticator(), header("Authorization"), source, header("User-Agent"), header("npm-otp"));
            request.setAttribute(Requests.ACTOR, actor); // the routes reuse it if this exchange is handed on
        }
        return actor;
    }

    public void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** Answers 304 Not Modified (the headers set so far, no body). */
    public void notModified() {
        status = 304;
        response.setStatus(304);
        callback.succeeded();
    }

    /**
     * Answers 200 with {@code content} (not moved) as the body, written as it is: no copy, no compression. Runs
     * {@code written} once the bytes are no longer needed (written, failed, or not sent at all for a HEAD).
     */
    public void body(String contentType, ByteBuffer content, Runnable written) {
        bytes = content.remaining();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes);
        if (head()) {
            written.run();
            callback.succeeded();
            return;
        }
        response.write(true, content.duplicate(), Callback.from(written, callback)); // on success or failure
    }

    /**
     * Answers 200 with the whole of {@code file}, which must hold exactly {@code size} bytes (checked before anything
     * is sent: a short file throws, and the routes answer). From the file to the socket without the heap.
     */
    public void file(String contentType, Path file, long size) throws IOException {
        FileChannel ch = FileBodies.open(file, size);
        try (ch) {
            bytes = size;
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
            if (!head()) {
                FileBodies.copy(ch, file, 0, size, this::blockingWrite);
            }
        } catch (IOException | RuntimeException e) {
            if (!response.isCommitted()) {
                throw e; // nothing sent: the routes answer
            }
            callback.failed(e);
            return;
        }
        callback.succeeded();
    }

    /**
     * Answers with a stored tarball as {@link Responses#tarball} does — ETag (304 on a match), Accept-Ranges, the whole
     * file — and returns true; returns false having written nothing for what only the routes answer: a range, or a
     * blob with no local file.
     */
    public boolean tarball(String etag, long size, Path file) throws IOException {
        if (file == null || header("Range") != null) {
            return false;
        }
        if (Responses.tarballValidators(this::header, header("If-None-Match"), etag)) {
            notModified();
        } else {
            file("application/octet-stream", file, size);
        }
        return true;
    }

    private void blockingWrite(ByteBuffer buffer) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(false, buffer, written);
            written.block();
        }
    }

    int status() {
        return status;
    }

    long bytes() {
        return bytes;
    }
}
