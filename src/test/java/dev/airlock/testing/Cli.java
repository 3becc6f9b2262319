package dev.airlock.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client process with an explicit, minimal environment (CI runs us with CI=true and no stdin; the host's
 * npm configuration must never leak in). Optionally answers prompts: each answer is written only after its prompt
 * appears on stdout, because npm opens a new readline per prompt and drops lines sent in one burst.
 */
public final class Cli {
    private Cli() {}

    public record Result(int exit, String stdout, String stderr) {
        public String all() {
            return stdout + "\n" + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** The base environment every client run gets: PATH and HOME only, plus what the caller adds. */
    public static Map<String, String> baseEnv(Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("CI", "true");
        env.put("NO_COLOR", "1");
        env.put("LANG", "C.UTF-8");
        return env;
    }

    /** A reply to a prompt, computed from everything the process printed so far (e.g. a TOTP secret). */
    public record Answer(String prompt, java.util.function.Function<String, String> reply) {}

    public static Result run(
            Path cwd, Map<String, String> env, List<String> command, Map<String, String> answers, long timeoutSeconds) {
        List<Answer> list = new ArrayList<>();
        if (answers != null) {
            answers.forEach((prompt, line) -> list.add(new Answer(prompt, out -> line)));
        }
        return run(cwd, env, command, list, timeoutSeconds);
    }

    public static Result run(
            Path cwd, Map<String, String> env, List<String> command, List<Answer> pending, long timeoutSeconds) {
        return run(cwd, env, command, pending, timeoutSeconds, false);
    }

    /**
     * With {@code terminal}, the command runs in a pseudo-terminal (util-linux {@code script}), as when a person types
     * it: stdin and stdout are TTYs (npm's web OTP flow needs both), stdin stays open until the process ends, an
     * answer that is null types nothing, and Enter is a carriage return.
     */
    public static Result run(
            Path cwd,
            Map<String, String> env,
            List<String> command,
            List<Answer> pending,
            long timeoutSeconds,
            boolean terminal) {
        List<String> argv = command;
        if (terminal) {
            StringBuilder line = new StringBuilder();
            command.forEach(a -> line.append(line.length() == 0 ? "" : " ")
                    .append("'")
                    .append(a.replace("'", "'\\''"))
                    .append("'"));
            argv = List.of("script", "-qefc", line.toString(), "/dev/null");
        }
        ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outPump = pump(p.getInputStream(), out);
            Thread errPump = pump(p.getErrorStream(), err);
            OutputStream stdin = p.getOutputStream();
            if (pending.isEmpty() && !terminal) {
                stdin.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            int answered = 0;
            while (p.isAlive() && answered < pending.size() && System.nanoTime() < deadline) {
                String seen;
                synchronized (out) {
                    seen = out.toString(StandardCharsets.UTF_8);
                }
                String prompt = pending.get(answered).prompt();
                if (occurrences(seen, prompt) > countAnswered(pending, answered)) {
                    String reply = pending.get(answered).reply().apply(seen);
                    if (reply != null) {
                        try {
                            stdin.write((reply + (terminal ? "\r" : "\n")).getBytes(StandardCharsets.UTF_8));
                            stdin.flush();
                        } catch (IOException e) {
                            // the answer may finish the client's work (a browser step npm polls for): it can exit
                            // before the reply is written, and then there is nobody left to read it
                            if (p.isAlive()) {
                                throw e;
                            }
                        }
                    }
                    answered++;
                    if (answered == pending.size() && !terminal) {
                        close(stdin, p);
                    }
                } else {
                    Thread.sleep(20);
                }
            }
            long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
            if (!p.waitFor(left, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            if (terminal) {
                close(stdin, p);
            }
            outPump.join(5000);
            errPump.join(5000);
            String stdout;
            synchronized (out) {
                stdout = out.toString(StandardCharsets.UTF_8);
            }
            int exit = p.isAlive() ? -1 : p.exitValue();
            return new Result(
                    exit,
                    stdout,
                    err.toString(StandardCharsets.UTF_8)
                            + (answered < pending.size()
                                    ? "\n[test harness] never saw prompt: "
                                            + pending.get(answered).prompt()
                                    : ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    /** How many earlier answers waited for the same prompt text (so repeated prompts are answered in turn). */
    private static long countAnswered(List<Answer> pending, int upTo) {
        String prompt = pending.get(upTo).prompt();
        return pending.subList(0, upTo).stream()
                .filter(e -> e.prompt().equals(prompt))
                .count();
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Prompt → answer pairs, in the order the prompts appear. */
    /**
     * Closes the client's standard input. A reply the client exited before reading stays in the buffer, and closing
     * flushes it into a pipe nobody reads: that is no error once the client is gone.
     */
    private static void close(java.io.OutputStream stdin, Process p) throws IOException {
        try {
            stdin.close();
        } catch (IOException e) {
            if (p.isAlive()) {
                throw e;
            }
        }
    }

    public static Map<String, String> answers(String... promptThenAnswer) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < promptThenAnswer.length; i += 2) {
            m.put(promptThenAnswer[i], promptThenAnswer[i + 1]);
        }
        return m;
    }
}
