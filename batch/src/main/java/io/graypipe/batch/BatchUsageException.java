package io.graypipe.batch;

/** A run that cannot start or go on because of how it was asked for; exit status 2. */
final class BatchUsageException extends Exception {
    BatchUsageException(String message) {
        super(message);
    }
}
