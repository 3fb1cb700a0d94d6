package io.graypipe.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpChainTest {
    private static final String ALL = "invert, brightness:F, contrast:F, blur:R, sharpen[:A], edges, emboss, "
            + "posterize:B, sepia, watermark:TEXT, resize:WxH, rotate:90|180|270, flip:h|v";
    private static final String WATERMARK_USE = "; use watermark:TEXT with 1 to 100 printable ASCII characters "
            + "(space to ~) other than the comma";

    private static String error(String chain) {
        return assertThrows(OpChainException.class, () -> OpChain.parse(chain)).getMessage();
    }

    @Test
    void parsesEveryOperationIntoItsWireFields() {
        OpChain chain = OpChain.parse("invert,brightness:1.5,contrast:0,blur:2,sharpen,edges,emboss,posterize:3,"
                + "sepia,watermark:a:b c");
        assertEquals(List.of(Op.of(OpKind.INVERT), Op.of(OpKind.BRIGHTNESS, 1.5), Op.of(OpKind.CONTRAST, 0),
                Op.of(OpKind.BLUR, 2), Op.of(OpKind.SHARPEN, 1), Op.of(OpKind.EDGES), Op.of(OpKind.EMBOSS),
                Op.of(OpKind.POSTERIZE, 3), Op.of(OpKind.SEPIA), new Op(OpKind.WATERMARK, 0, 0, "a:b c")),
                chain.ops());
        assertEquals(List.of(new Op(OpKind.RESIZE, 800, 600, ""), Op.of(OpKind.ROTATE, 90),
                Op.of(OpKind.ROTATE, 180), Op.of(OpKind.ROTATE, 270), Op.of(OpKind.FLIP, 0), Op.of(OpKind.FLIP, 1),
                Op.of(OpKind.SHARPEN, 0.5)),
                OpChain.parse("resize:800x600,rotate:90,rotate:180,rotate:270,flip:h,flip:v,sharpen:.5").ops());
    }

    @Test
    void emptyTextIsTheEmptyChain() {
        assertTrue(OpChain.parse("").isEmpty());
        assertEquals(OpChain.EMPTY, OpChain.of(List.of()));
        assertEquals("", OpChain.EMPTY.toString());
        assertEquals("gray", OpChain.EMPTY.variantName());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "blur:2.50,contrast:1.0,sepia | blur:2.5,contrast:1,sepia",
            "sharpen | sharpen:1",
            "brightness:-0 | brightness:0",
            "brightness:4.000 | brightness:4",
            "blur:0.125,posterize:8,flip:v | blur:0.125,posterize:8,flip:v",
            "resize:0800x0600 | resize:800x600",
            "watermark:(c) 2026: a:b | watermark:(c) 2026: a:b",
    })
    void canonicalTextRoundTrips(String typed, String canonical) {
        OpChain chain = OpChain.parse(typed);
        assertEquals(canonical, chain.toString());
        assertEquals(chain, OpChain.parse(chain.toString()));
        assertEquals(chain, OpChain.of(chain.ops()));
        assertEquals(chain.hashCode(), OpChain.parse(canonical).hashCode());
    }

    @Test
    void tenOperationsAreAllowedAndElevenAreNot() {
        String ten = String.join(",", Collections.nCopies(10, "invert"));
        assertEquals(10, OpChain.parse(ten).ops().size());
        assertEquals("ops: 11 operations; at most 10", error(ten + ",sepia"));
        assertEquals("ops: 11 operations; at most 10", assertThrows(OpChainException.class,
                () -> OpChain.of(Collections.nCopies(11, Op.of(OpKind.INVERT)))).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", quoteCharacter = '"', value = {
            "blurr:2 => ops: 'blurr:2' is not an operation; use one of " + ALL,
            "Invert => ops: 'Invert' is not an operation; use one of " + ALL,
            "sepia, invert => ops: ' invert' is not an operation; use one of " + ALL,
            "invert:2 => ops: 'invert:2' takes no argument; use invert",
            "sepia: => ops: 'sepia:' takes no argument; use sepia",
            "blur => ops: 'blur' needs an argument; use blur:R with 0 < R <= 50",
            "brightness => ops: 'brightness' needs an argument; use brightness:F with 0 <= F <= 4",
            "posterize => ops: 'posterize' needs an argument; use posterize:B with 1 <= B <= 8",
            "resize => ops: 'resize' needs an argument; use resize:WxH, e.g. resize:800x600",
            "rotate => ops: 'rotate' needs an argument; use rotate:90|180|270",
            "flip => ops: 'flip' needs an argument; use flip:h|v",
            "watermark => ops: 'watermark' needs an argument; use watermark:TEXT with 1 to 100 printable ASCII characters other than the comma",
            "blur:80 => ops: blur radius 80 is out of range; use 0 < R <= 50",
            "blur:0 => ops: blur radius 0 is out of range; use 0 < R <= 50",
            "blur:50.0001 => ops: blur radius 50.0001 is out of range; use 0 < R <= 50",
            "sharpen:0 => ops: sharpen amount 0 is out of range; use 0 < A <= 5",
            "sharpen:5.5 => ops: sharpen amount 5.5 is out of range; use 0 < A <= 5",
            "brightness:-1 => ops: brightness factor -1 is out of range; use 0 <= F <= 4",
            "contrast:4.5 => ops: contrast factor 4.5 is out of range; use 0 <= F <= 4",
            "posterize:0 => ops: posterize bits 0 is out of range; use 1 <= B <= 8",
            "posterize:9 => ops: posterize bits 9 is out of range; use 1 <= B <= 8",
            "posterize:2.5 => ops: posterize bits 2.5 is not a whole number; use 1 <= B <= 8",
            "blur:abc => ops: 'blur:abc': 'abc' is not a number; use blur:R with 0 < R <= 50",
            "blur:1e3 => ops: 'blur:1e3': '1e3' is not a number; use blur:R with 0 < R <= 50",
            "contrast:NaN => ops: 'contrast:NaN': 'NaN' is not a number; use contrast:F with 0 <= F <= 4",
            "sharpen: => ops: 'sharpen:': '' is not a number; use sharpen[:A] with 0 < A <= 5",
            "blur:1.000000000000000000000001 => ops: 'blur:1.000000000000000000000001': '1.000000000000000000000001' is not a number; use blur:R with 0 < R <= 50",
            "resize:0x100 => ops: resize 0x100 is out of range; use resize:WxH with 1 <= W, H <= 65535",
            "resize:100x0 => ops: resize 100x0 is out of range; use resize:WxH with 1 <= W, H <= 65535",
            "resize:70000x10 => ops: resize 70000x10 is out of range; use resize:WxH with 1 <= W, H <= 65535",
            "resize:100 => ops: 'resize:100' is not WxH; use resize:WxH with whole numbers, e.g. resize:800x600",
            "resize:1.5x2 => ops: 'resize:1.5x2' is not WxH; use resize:WxH with whole numbers, e.g. resize:800x600",
            "rotate:45 => ops: rotate '45' is not supported; use rotate:90, rotate:180 or rotate:270",
            "rotate:-90 => ops: rotate '-90' is not supported; use rotate:90, rotate:180 or rotate:270",
            "flip:x => ops: flip 'x' is not supported; use flip:h or flip:v",
            "flip:H => ops: flip 'H' is not supported; use flip:h or flip:v",
            "invert,,sepia => ops: operation 2 of 'invert,,sepia' is empty; separate operations with single commas",
            "invert, => ops: operation 2 of 'invert,' is empty; separate operations with single commas",
            "watermark: => ops: watermark text is empty" + WATERMARK_USE,
            "watermark:caf\u00e9 => ops: watermark text has a character that is not printable ASCII (U+00E9) at position 4" + WATERMARK_USE,
            "watermark:a\tb => ops: watermark text has a character that is not printable ASCII (U+0009) at position 2" + WATERMARK_USE,
    })
    void badChainsNameTheBadPartAndTheChoices(String chain, String message) {
        assertEquals(message, error(chain));
    }

    @Test
    void watermarkTextIsOneToAHundredPrintableCharacters() {
        String hundred = "x".repeat(99) + "~";
        assertEquals(hundred, OpChain.parse("watermark:" + hundred).ops().get(0).text());
        assertEquals(" ", OpChain.parse("watermark: ").ops().get(0).text());
        assertEquals("ops: watermark text has 101 characters" + WATERMARK_USE, error("watermark:" + "x".repeat(101)));
        assertEquals("ops: watermark text has a character that is not printable ASCII (U+007F) at position 1"
                + WATERMARK_USE, error("watermark:\u007f"));
    }

    @Test
    void wireOpsAreCheckedByTheSameRules() {
        assertEquals("ops: blur radius 80 is out of range; use 0 < R <= 50", ofError(Op.of(OpKind.BLUR, 80)));
        assertEquals("ops: invert got arguments it does not take; use invert", ofError(Op.of(OpKind.INVERT, 1)));
        assertEquals("ops: blur got arguments it does not take; use blur:R", ofError(new Op(OpKind.BLUR, 1, 2, "")));
        assertEquals("ops: sepia got arguments it does not take; use sepia", ofError(new Op(OpKind.SEPIA, 0, 0, "x")));
        assertEquals("ops: rotate 45 is not supported; use rotate:90, rotate:180 or rotate:270",
                ofError(Op.of(OpKind.ROTATE, 45)));
        assertEquals("ops: flip axis 2 is not supported; use flip:h or flip:v", ofError(Op.of(OpKind.FLIP, 2)));
        assertEquals("ops: resize 1.5x2 is out of range; use resize:WxH with 1 <= W, H <= 65535",
                ofError(new Op(OpKind.RESIZE, 1.5, 2, "")));
        assertEquals("ops: posterize bits 2.5 is not a whole number; use 1 <= B <= 8",
                ofError(Op.of(OpKind.POSTERIZE, 2.5)));
        assertEquals("ops: watermark text is empty" + WATERMARK_USE, ofError(Op.of(OpKind.WATERMARK)));
        assertEquals("ops: watermark text has a comma (U+002C) at position 2" + WATERMARK_USE,
                ofError(new Op(OpKind.WATERMARK, 0, 0, "a,b")));
    }

    private static String ofError(Op op) {
        return assertThrows(OpChainException.class, () -> OpChain.of(List.of(op))).getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sepia | sepia",
            "blur:2,contrast:1.5 | blur-2_contrast-1.5",
            "resize:800x600,rotate:90,flip:h,sharpen | resize-800x600_rotate-90_flip-h_sharpen-1",
            "watermark:graypipe-2026 | watermark-graypipe-2026",
    })
    void variantNamesAreReadable(String chain, String name) {
        assertEquals(name, OpChain.parse(chain).variantName());
    }

    @ParameterizedTest
    @ValueSource(strings = {"watermark:(c) ACME/../x", "watermark:a!", "watermark:a?", "watermark:...",
            "watermark:long text cut-yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"})
    void sanitisedVariantNamesStaySafeAndDistinct(String chain) {
        String name = OpChain.parse(chain).variantName();
        assertTrue(name.matches("[A-Za-z0-9._-]{1,120}"), name);
        assertTrue(name.startsWith("watermark"), name);
        assertTrue(name.matches(".*-[0-9a-f]{8}"), name);
    }

    @Test
    void differentChainsGetDifferentVariantNames() {
        assertNotEquals(OpChain.parse("watermark:a!").variantName(), OpChain.parse("watermark:a?").variantName());
        String longest = String.join(",", Collections.nCopies(10, "watermark:" + "w".repeat(100)));
        String name = OpChain.parse(longest).variantName();
        assertEquals(120, name.length());
        assertNotEquals(name, OpChain.parse(longest.replaceFirst("w,", "v,")).variantName());
    }

    @Test
    void orderIsPartOfTheChain() {
        assertNotEquals(OpChain.parse("invert,posterize:1"), OpChain.parse("posterize:1,invert"));
    }

    @Test
    void catalogueDescribesEveryKindWithTheEnforcedRanges() {
        List<OpDescription> ops = OpCatalogue.operations();
        assertEquals(OpKind.values().length, ops.size());
        for (int i = 0; i < ops.size(); i++) {
            assertEquals(OpKind.values()[i].label(), ops.get(i).name());
            assertTrue(ops.get(i).syntax().startsWith(ops.get(i).name()));
            assertTrue(!ops.get(i).description().isBlank());
        }
        OpParameter radius = OpCatalogue.describe(OpKind.BLUR).parameters().get(0);
        assertEquals(new OpParameter("radius", "number", 0.0, true, 50.0, null, List.of(),
                "standard deviation in pixels"), radius);
        assertEquals(1.0, OpCatalogue.describe(OpKind.SHARPEN).parameters().get(0).defaultValue());
        assertEquals(List.of("90", "180", "270"), OpCatalogue.describe(OpKind.ROTATE).parameters().get(0).choices());
        assertEquals(List.of("width", "height"),
                OpCatalogue.describe(OpKind.RESIZE).parameters().stream().map(OpParameter::name).toList());
        assertEquals(100.0, OpCatalogue.describe(OpKind.WATERMARK).parameters().get(0).max());
        assertTrue(OpCatalogue.describe(OpKind.INVERT).parameters().isEmpty());
    }
}
