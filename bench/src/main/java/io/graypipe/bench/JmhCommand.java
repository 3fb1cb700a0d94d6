package io.graypipe.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * CLI: hands its arguments to JMH's own launcher, so the one shaded jar runs both the load tools and the
 * microbenchmarks (JMH forks reuse this jar's class path).
 */
@Command(name = "jmh", description = "Run JMH microbenchmarks; arguments go to org.openjdk.jmh.Main (try -h).")
final class JmhCommand implements Callable<Integer> {
    /** Everything after {@code jmh}, in order: JMH's options are not picocli's to parse. */
    @Unmatched
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(jmhArgs.toArray(String[]::new));
        return 0;
    }
}
