package io.graypipe.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTextTest {
    @Test
    void aLogLineCannotBeSplitOrForgedByClientText() {
        String forged = "a.png\r\n[main] INFO io.graypipe.front.FrontServer - front stopped\u001b[2J\u202e\u0000";
        String line = SafeText.forLog(forged);

        assertFalse(line.contains("\r") || line.contains("\n"), line);
        assertTrue(line.chars().noneMatch(c -> SafeText.unsafe((char) c)), line);
        assertEquals("a.png\\r\\n[main] INFO io.graypipe.front.FrontServer - front stopped\\u001b[2J\\u202e\\u0000", line);
        assertEquals("a\\\\r", SafeText.forLog("a\\r"), "a backslash in the text cannot fake an escape");
    }

    @Test
    void aLongTextIsClippedAndSaysSo() {
        String line = SafeText.forLog("x".repeat(4096));

        assertEquals(SafeText.MAX_LOG_CHARS + "...(4096 chars)".length(), line.length());
        assertTrue(line.endsWith("...(4096 chars)"));
    }

    @Test
    void aFileNameKeepsNoSeparatorControlOrBidiCharacter() {
        assertEquals("x", SafeText.fileName("../../x".substring(6), 100));
        assertEquals("_.._x", SafeText.fileName("/../x", 100));
        assertEquals("a__Set-Cookie_ y", SafeText.fileName("a\r\nSet-Cookie: y", 100));
        assertEquals("_; filename=z", SafeText.fileName("\"; filename=z", 100));
        assertEquals("photogpj.exe", SafeText.fileName("photo\u202egpj.exe", 100));
        assertEquals("C__Windows_evil", SafeText.fileName("C:\\Windows\\evil", 100));
        assertEquals("passwd", SafeText.fileName("...passwd", 100));
        assertEquals("", SafeText.fileName("..", 100));
        assertEquals("", SafeText.fileName("\u2066\u2069", 100));
        String tail = SafeText.fileName("x".repeat(4093) + ".png", 100);
        assertEquals(100, tail.length());
        assertTrue(tail.endsWith(".png"), "the extension is kept");
        assertEquals("\ud83d\ude00.png", SafeText.fileName("a\ud83d\ude00.png", 6), "never half a surrogate pair");
    }
}
