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
            int code = cli.execute(args);
            return "exit=" + code + "\n" + buf.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
    }
}
