package dev.airlock.platform.http;

/**
 * A module's answer to its hottest reads straight from Jetty, before Javalin's servlet layer, router and context (see
 * {@link FastReads}). It answers only what it holds in memory; anything else — a miss, a refusal, an error, a range —
 * it leaves to its Javalin routes, which answer as if the fast path did not exist.
 */
public interface FastRoute {
    /**
     * Answers the exchange and returns true, or returns false having written nothing. An exception thrown before
     * anything was written hands the request to the routes too (they answer the error).
     */
    boolean answer(FastExchange x) throws Exception;
}
