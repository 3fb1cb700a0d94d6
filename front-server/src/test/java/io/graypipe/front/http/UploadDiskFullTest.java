package io.graypipe.front.http;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upload that cannot be spooled because the upload directory's disk is full is the server's trouble (503
 * storage_full with Retry-After), not a malformed upload (400): the cluster chaos soak's full-disk fault found
 * valid uploads answered 400 malformed_multipart. That soak (bench's ChaosSoakTest) checks it end to end.
 */
class UploadDiskFullTest {
    @Test
    void onlyAFullDiskIsTakenForAFullDisk() {
        assertTrue(UploadReceiver.diskFull(new IOException("No space left on device")));
        assertTrue(UploadReceiver.diskFull(new UncheckedIOException(new IOException("Disk quota exceeded"))));
        assertFalse(UploadReceiver.diskFull(new IOException("Connection reset by peer")));
        assertFalse(UploadReceiver.diskFull(new IllegalStateException("No space left on device")));
        assertFalse(UploadReceiver.diskFull(new IOException((String) null)));
    }
}
