package dev.airlock.console.view;

/**
 * A "confirm with security key" button and its hidden fields: the server-side ceremony id, and the options the
 * browser's WebAuthn call needs ({@code mode} get or create), which webauthn.js reads from the button.
 */
public record KeyButton(String ceremony, String browserJson, String id, String label, String mode) {}
