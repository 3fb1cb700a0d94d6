package io.graypipe.batch;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputLayoutTest {
    private static final Path OUT = Path.of("/out");

    @Test
    void mirrorsTheRelativePathUnderTheVariant() {
        OutputLayout layout = new OutputLayout(OUT, false);
        Pass sepia = new Pass(null, "sepia");
        assertEquals(Path.of("/out/sepia/a/b/photo.jpg"), layout.target(sepia, Path.of("a/b/photo.jpg"), "jpeg"));
        assertEquals(Path.of("/out/sepia/a/PHOTO.JPEG"), layout.target(sepia, Path.of("a/PHOTO.JPEG"), "jpeg"));
        assertEquals(Path.of("/out/sepia/x.png"), layout.target(sepia, Path.of("x.png"), "png"));
        assertEquals(Path.of("/out/gray/c.gif.png"), layout.target(new Pass(null, null), Path.of("c.gif"), "png"));
        assertEquals(Path.of("/out/gray/photo.jpg.png"), layout.target(new Pass(null, null), Path.of("photo.jpg"), "png"));
        assertEquals(Path.of("/out/gray/noext.jpg"), layout.target(new Pass(null, null), Path.of("noext"), "jpeg"));
        assertEquals(Path.of("/out/gray/photo.jpg.webp"), layout.target(new Pass(null, null), Path.of("photo.jpg"), "webp"));
        assertEquals(Path.of("/out/gray/x.avif"), layout.target(new Pass(null, null), Path.of("x.avif"), "avif"));
    }

    @Test
    void bothModesGetAFolderEach() {
        OutputLayout layout = new OutputLayout(OUT, true);
        assertEquals(Path.of("/out/threads/blur-2_contrast-1.5/a/p.png"),
                layout.target(new Pass("threads", "blur:2,contrast:1.5"), Path.of("a/p.png"), "png"));
        assertEquals(Path.of("/out/processes/gray/p.png"), layout.target(new Pass("processes", null), Path.of("p.png"), "png"));
    }

    @Test
    void variantFoldersAreTheFrontsVariantNames() {
        OutputLayout layout = new OutputLayout(OUT, false);
        assertEquals(Path.of("/out/blur-2_contrast-1.3/p.png"),
                layout.target(new Pass(null, "blur:2,contrast:1.3"), Path.of("p.png"), "png"));
        String watermark = new Pass(null, "watermark:a/b").variant();
        assertEquals(io.graypipe.protocol.OpChain.parse("watermark:a/b").variantName(), watermark);
        assertEquals(false, watermark.contains("/"), watermark);
    }

    @Test
    void temporaryNamesAreHiddenSiblings() {
        assertEquals(Path.of("/out/gray/a/.p.png" + OutputLayout.TEMPORARY_SUFFIX),
                OutputLayout.temporary(Path.of("/out/gray/a/p.png")));
    }

    @Test
    void aHostileFormatFromTheServerNeverBecomesAPath() throws Exception {
        OutputLayout layout = new OutputLayout(OUT, false);
        Pass gray = new Pass(null, null);
        for (String format : java.util.List.of("../../../tmp/x", "png/../../../x", "png\\..\\x", "png\r\nSet-Cookie: y",
                "p\u202egnp", "\"; filename=z", "x".repeat(4096), "png\u0000", "", "..")) {
            FrontFailure refused = org.junit.jupiter.api.Assertions.assertThrows(FrontFailure.class,
                    () -> layout.resultTarget(gray, Path.of("a/p.jpg"), format), format);
            assertEquals("unsafe_answer", refused.failure().code());
            assertEquals(false, refused.getMessage().contains("\n") || refused.getMessage().length() > 300, refused.getMessage());
        }
        assertEquals(Path.of("/out/gray/a/p.jpg.webp"), layout.resultTarget(gray, Path.of("a/p.jpg"), "webp"));
    }
}
