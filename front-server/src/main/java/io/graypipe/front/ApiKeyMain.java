package io.graypipe.front;

import io.graypipe.front.access.ApiKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/**
 * {@code scripts/apikey NAME}: makes a new API key. Prints the key (give it to the client; it is not kept
 * anywhere) on its first line, and on its second the line to append to the {@code --api-keys} file, which holds
 * only the key's SHA-256.
 */
@Command(name = "apikey", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Makes a new API key for graypipe's --api-keys file.",
                "Line 1: the key, for the client. Line 2: the line to append to the key file (it holds only the key's SHA-256)."},
        footer = {"", "Example:", "  scripts/apikey alice --rate 20 --burst 40 | { read key; read line; echo \"$line\" >> keys.txt; echo \"$key\"; }"})
public final class ApiKeyMain implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The client's name: 1-64 of A-Z a-z 0-9 _ . - (the metrics show it).")
    String name;

    @Option(names = "--rate", paramLabel = "IMAGES_PER_SECOND", description = "Its images per second. Default: the front's --rate-limit, or none.")
    Double rate;

    @Option(names = "--burst", paramLabel = "IMAGES", description = "Images it may send at once above its rate. Default: the front's --rate-burst, or the rate.")
    Long burst;

    @Option(names = "--weight", defaultValue = "1", paramLabel = "W", description = "Its share of a busy server against other clients. Default: ${DEFAULT-VALUE}.")
    int weight;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ApiKeyMain()).execute(args));
    }

    @Override
    public Integer call() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = "gp_" + HexFormat.of().formatHex(random);
        ApiKey entry;
        try {
            entry = new ApiKey(name, ApiKey.hash(key), rate, burst, weight);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(key);
        out.println(entry.line());
        out.flush();
        return 0;
    }
}
