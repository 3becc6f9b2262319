package dev.airlock.testing;

import dev.airlock.Airlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Runs the operator command line (`./airlock …`) in-process, with the given standard input. */
public final class AirlockCommand {
    private AirlockCommand() {}

    /** Adds {@code --database} for the data directory the command names, when this run uses PostgreSQL. */
    public static String[] onTestDatabase(String[] args) {
        if (!TestDatabase.postgres() || java.util.Arrays.asList(args).contains("--database")) {
            return args;
        }
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--data")) {
                String[] out = java.util.Arrays.copyOf(args, args.length + 2);
                out[args.length] = "--database";
                out[args.length + 1] = TestDatabase.urlFor(java.nio.file.Path.of(args[i + 1]));
                return out;
            }
        }
        return args;
    }

    /** Returns "exit=N", a newline, then what the command printed on stdout and stderr. */
    public static String run(String stdin, String... args) {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            var cli = Airlock.commandLine();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            int code = cli.execute(onTestDatabase(args));
            return "exit=" + code + "\n" + buf.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
    }
}
