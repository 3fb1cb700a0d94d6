package io.graypipe.front.testing;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** POSIX signals the JDK cannot send, such as STOP (freeze a process so it holds its work) and CONT. */
public final class Signals {
    private Signals() {
    }

    /** Sends signal {@code name} (e.g. "STOP", "CONT", "KILL") to {@code process} with kill(1). */
    public static void send(String name, ProcessHandle process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + process.pid() + " failed");
    }
}
