package io.graypipe.front.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks that need a program from outside the build (chromium, promtool) skip themselves where it is missing,
 * so scripts/test works on any machine, but fail where the environment variable says it must be there, as in CI.
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    public static void require(boolean available, String requiredByEnv, String howToInstall) {
        if (System.getenv(requiredByEnv) != null) {
            Assertions.assertTrue(available, requiredByEnv + " is set but " + howToInstall);
        } else {
            Assumptions.assumeTrue(available, howToInstall);
        }
    }
}
