package io.graypipe.batch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VariantNamesTest {
    @Test
    void namesAreReadableAndSafe() {
        assertEquals("gray", VariantNames.of(null));
        assertEquals("gray", VariantNames.of(" "));
        assertEquals("sepia", VariantNames.of("sepia"));
        assertEquals("blur-2_contrast-1.5", VariantNames.of("blur:2,contrast:1.5"));
        assertEquals("resize-800x600_rotate-90", VariantNames.of("resize:800x600, rotate:90"));
        assertEquals("watermark-a-b-c", VariantNames.of("watermark:a/b\\c"));
        assertEquals("watermark-graypipe-20rocks", VariantNames.of("watermark:graypipe%20rocks"));
    }

    @Test
    void longChainsStayUnderTheFileNameLimitAndDistinct() {
        String a = VariantNames.of("watermark:" + "a".repeat(100));
        String b = VariantNames.of("watermark:" + "a".repeat(99) + "b");
        assertTrue(a.length() < 120, a);
        assertNotEquals(a, b);
    }
}
