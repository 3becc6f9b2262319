package dev.airlock;

import picocli.CommandLine.Command;

/**
 * {@code airlock doctor}: checks around the gate. On this branch it only holds {@code doctor mail}; the client doctor
 * (docs/doctor.md) replaces this class when the branches are merged.
 */
@Command(
        name = "doctor",
        description = "Check what surrounds the gate.",
        subcommands = {MailDoctorCommand.class})
final class DoctorCommand {}
