package io.graypipe.front.observe;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FrontMetricsQuantileTest {

    @Test
    void interpolatesInsideTheBucketHoldingTheRank() {
        // 10 observations in (0, 0.01], 10 in (0.01, 0.1]: the median is the top of the first bucket.
        ClassicHistogramBuckets buckets = ClassicHistogramBuckets.of(new double[]{0.01, 0.1, Double.POSITIVE_INFINITY},
                new long[]{10, 10, 0});
        assertEquals(10.0, FrontMetrics.quantileMillis(buckets, 0.5), 1e-9);
        assertEquals(10.0 + 90.0 * 0.9, FrontMetrics.quantileMillis(buckets, 0.95), 1e-9);
    }

    @Test
    void noObservationsNoQuantile() {
        assertNull(FrontMetrics.quantileMillis(ClassicHistogramBuckets.of(new double[]{1, Double.POSITIVE_INFINITY},
                new long[]{0, 0}), 0.5));
    }
}
