package dev.airlock.console.view;

/** The sign-in pages: an error sentence (or null), where to go afterwards, and the key step when there is one. */
public record SignInPage(String error, String next, String passkeyHref, KeyButton key) {}
