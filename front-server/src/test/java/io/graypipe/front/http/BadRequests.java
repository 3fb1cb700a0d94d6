package io.graypipe.front.http;

import io.graypipe.front.testing.TestImages;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.graypipe.front.http.RawHttp.ascii;
import static io.graypipe.front.http.RawHttp.closing;
import static io.graypipe.front.http.RawHttp.concat;
import static io.graypipe.front.http.RawHttp.part;
import static io.graypipe.front.http.RawHttp.post;

/** Every bad request the front must turn into a fast, documented 4xx: the raw bytes and the expected answer. */
final class BadRequests {
    static final String BOUNDARY = "graypipeTestBoundary";
    static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

    record Case(String name, byte[] request, int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    private BadRequests() {
    }

    static List<Case> all() {
        byte[] jpeg = TestImages.jpeg(64, 48);
        byte[] png = TestImages.png(64, 48);
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        random[0] = 0x17;
        byte[] jpegMagicThenNoise = concat(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0}, random);
        byte[] text = "Hello, this is not an image.\n".repeat(20).getBytes(StandardCharsets.UTF_8);
        byte[] pdf = ascii("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        // A JPEG start, a comment segment that holds a whole PDF, and the JPEG end: no frame, so no image.
        byte[] jpegPdfPolyglot = concat(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xfe,
                (byte) ((pdf.length + 2) >> 8), (byte) (pdf.length + 2)}, pdf, new byte[] {(byte) 0xff, (byte) 0xd9});
        byte[] gifScriptPolyglot = ascii("GIF89a/*\u0001\u0001*/=alert(document.domain);//;");

        List<Case> cases = new ArrayList<>();
        cases.add(new Case("empty body, Content-Length 0", post("/process", "image/jpeg", new byte[0]), 400, "missing_image"));
        cases.add(new Case("empty body, chunked", ascii("POST /process HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400, "empty_image"));
        cases.add(new Case("empty file in multipart", multipart("/process", part(BOUNDARY, "image", "a.png", new byte[0])),
                400, "empty_image"));
        cases.add(new Case("truncated JPEG", post("/process", "image/jpeg", TestImages.truncated(jpeg)), 422, "undecodable_image"));
        cases.add(new Case("truncated PNG", post("/process", "image/png", TestImages.truncated(png)), 422, "undecodable_image"));
        cases.add(new Case("random bytes labelled image/jpeg", post("/process", "image/jpeg", random), 415,
                "unsupported_media_type"));
        cases.add(new Case("JPEG signature then random bytes", post("/process", "image/jpeg", jpegMagicThenNoise), 422,
                "undecodable_image"));
        cases.add(new Case("text/plain body", post("/process", "text/plain", text), 415, "unsupported_media_type"));
        cases.add(new Case("text labelled image/png", post("/process", "image/png", text), 415, "unsupported_media_type"));
        cases.add(new Case("application/json body", post("/process", "application/json", ascii("{\"a\":1}")), 415,
                "unsupported_media_type"));
        cases.add(new Case("PDF as application/pdf", post("/process", "application/pdf", pdf), 415, "unsupported_media_type"));
        cases.add(new Case("PDF in multipart", multipart("/process", part(BOUNDARY, "image", "doc.pdf", pdf)), 415,
                "unsupported_media_type"));
        cases.add(new Case("polyglot: JPEG signature, PDF body", post("/process", "image/jpeg", jpegPdfPolyglot), 422,
                "undecodable_image"));
        cases.add(new Case("polyglot: GIF header, script body", post("/process", "image/gif", gifScriptPolyglot), 422,
                "undecodable_image"));
        cases.add(new Case("multipart without boundary", post("/process", "multipart/form-data",
                part(BOUNDARY, "image", "a.png", png)), 400, "malformed_multipart"));
        cases.add(new Case("multipart boundary never closes", post("/process", MULTIPART,
                part(BOUNDARY, "image", "a.png", png)), 400, "malformed_multipart"));
        cases.add(new Case("multipart with no file field", multipart("/process",
                part(BOUNDARY, "scale", null, ascii("0.5"))), 400, "missing_image"));
        cases.add(new Case("multipart file in an unknown field", multipart("/process",
                part(BOUNDARY, "photo", "a.png", png)), 400, "missing_image"));
        cases.add(new Case("multipart with two files on /process", multipart("/process",
                part(BOUNDARY, "image", "a.png", png), part(BOUNDARY, "image", "b.png", png)), 400, "too_many_files"));
        cases.add(new Case("JPEG claiming 64000x64000", post("/process", "image/jpeg", TestImages.jpegClaiming(64000, 64000)),
                422, "image_too_large"));
        cases.add(new Case("PNG bomb claiming 16384x16384", post("/process", "image/png", TestImages.pngClaiming(16384, 16384)),
                422, "image_too_large"));
        cases.add(new Case("PNG 30000 px wide, under the pixel limit", post("/process", "image/png",
                TestImages.pngClaiming(30000, 10)), 422, "image_too_large"));
        for (String param : List.of("scale=0", "scale=-0.5", "scale=1.01", "scale=NaN", "scale=Infinity", "scale=half",
                "scale=1e400", "scale=1e-400", "scale=99999999999999999999", "scale=", "scale=0x1p-1", "scale=0.5d",
                "quality=0", "quality=-5", "quality=101", "quality=85.5", "quality=abc", "quality=1e3",
                "quality=99999999999999999999", "quality=", "format=gif", "format=", "format=..%2F..%2Fetc")) {
            cases.add(new Case("query " + param, post("/process?" + param, "image/png", png), 400, "bad_parameter"));
        }
        cases.add(new Case("form field scale=0", multipart("/process", part(BOUNDARY, "scale", null, ascii("0")),
                part(BOUNDARY, "image", "a.png", png)), 400, "bad_parameter"));
        cases.add(new Case("form field quality=NaN", multipart("/process", part(BOUNDARY, "image", "a.png", png),
                part(BOUNDARY, "quality", null, ascii("NaN"))), 400, "bad_parameter"));
        cases.add(new Case("two different Content-Length headers", ascii("POST /process HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: image/png\r\nContent-Length: 4\r\nContent-Length: 6\r\n\r\nabcdef"), 400, "bad_request"));
        cases.add(new Case("Content-Length list with two values", ascii("POST /process HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: image/png\r\nContent-Length: 4, 6\r\n\r\nabcdef"), 400, "bad_request"));
        cases.add(new Case("negative Content-Length", ascii("POST /process HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: image/png\r\nContent-Length: -1\r\n\r\n"), 400, "bad_request"));
        cases.add(new Case("Content-Length and chunked together", ascii("POST /process HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: image/png\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n"), 400, "bad_request"));
        cases.add(new Case("chunk size that is not hex", ascii("POST /process HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"), 400, "bad_request"));
        cases.add(new Case("chunk size that overflows", ascii("POST /process HTTP/1.1\r\nHost: t\r\n"
                + "Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n"),
                400, "bad_request"));
        cases.add(new Case("not HTTP at all", ascii("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n"),
                400, "bad_request"));
        cases.add(new Case("unknown path", ascii("GET /nothing-here HTTP/1.1\r\nHost: t\r\n\r\n"), 404, "not_found"));
        cases.add(new Case("wrong method", ascii("GET /process HTTP/1.1\r\nHost: t\r\n\r\n"), 405, "method_not_allowed"));
        return cases;
    }

    static byte[] multipart(String path, byte[]... parts) {
        byte[][] all = new byte[parts.length + 1][];
        System.arraycopy(parts, 0, all, 0, parts.length);
        all[parts.length] = closing(BOUNDARY);
        return post(path, MULTIPART, concat(all));
    }
}
