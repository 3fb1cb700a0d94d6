package io.graypipe.front.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

/** What the launchers of outside programs (redis-server, haproxy) share: a free port, and keeping the output. */
final class ChildProcesses {
    private ChildProcesses() {
    }

    /** A loopback port free now; the program should bind it soon, and retry with another if it was taken. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Appends {@code process}'s output, line by line, to {@code output}, on a daemon thread, until it ends. */
    static void keepOutput(Process process, StringBuffer output, String name) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.append(line).append('\n');
                }
            } catch (IOException e) {
                output.append("[output closed: ").append(e.getMessage()).append("]\n");
            }
        }, name + "-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }
}
