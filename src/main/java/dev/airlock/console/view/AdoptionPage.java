package dev.airlock.console.view;

import dev.airlock.adoption.AdoptionReport;
import dev.airlock.adoption.OrgWide;

/**
 * The org's adoption page: the report, and for owners the org-wide "require 2FA and staging" form with its preview
 * ({@code preview} null for admins, who may read the report but not change policies). {@code showOtp}: the form
 * asks for a one-time password (the owner has an authenticator app, or no key).
 */
public record AdoptionPage(
        AdoptionReport report, OrgWide.Preview preview, boolean showOtp, KeyButton key, boolean done) {}
