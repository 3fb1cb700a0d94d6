package io.graypipe.front.observe;

import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /formats}, and the {@code formats} of {@code GET /stats}: what this deployment reads and writes now,
 * and what is missing with the Debian package that brings it.
 *
 * @param reads   upload formats this front decodes
 * @param writes  output formats the connected workers encode; before any is connected, what this front's libraries
 *                give the worker it starts
 * @param missing each format that cannot be read or written, and why
 */
public record FormatsReport(List<String> reads, List<String> writes, List<Missing> missing) {

    /**
     * @param format        {@code webp} or {@code avif}
     * @param direction     {@code read} (uploads are refused) or {@code write} (format=... answers 501)
     * @param debianPackage what to install where the front (read) or the worker (write) runs
     */
    public record Missing(String format, String direction, String debianPackage) {
    }

    /**
     * @param readsAvif       whether this front loaded libavif
     * @param localEncodable  what a worker given this front's libraries encodes
     * @param connectedEncode what the connected workers encode; empty while none is connected
     */
    public static FormatsReport of(boolean readsAvif, List<OutputFormat> localEncodable,
                                   Set<OutputFormat> connectedEncode) {
        List<String> reads = new ArrayList<>(List.of("jpeg", "png", "gif", "bmp", "webp"));
        List<Missing> missing = new ArrayList<>();
        if (readsAvif) {
            reads.add("avif");
        } else {
            missing.add(new Missing("avif", "read", Avif.PACKAGE));
        }
        List<OutputFormat> encodable = connectedEncode.isEmpty() ? localEncodable : List.copyOf(connectedEncode);
        List<String> writes = new ArrayList<>();
        for (OutputFormat format : OutputFormat.values()) {
            if (encodable.contains(format)) {
                writes.add(format.label());
            } else {
                missing.add(new Missing(format.label(), "write", format == OutputFormat.WEBP ? WebP.PACKAGE
                        : Avif.PACKAGE));
            }
        }
        return new FormatsReport(reads, writes, missing);
    }
}
