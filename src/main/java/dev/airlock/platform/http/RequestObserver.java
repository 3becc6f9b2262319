package dev.airlock.platform.http;

/** Told of every request the {@link FastReads} answered itself (the routes' own requests are timed by their hooks). */
public interface RequestObserver {
    void observed(String method, String path, int status, long nanos, long bytes);
}
