package io.graypipe.front.http;

import io.graypipe.protocol.SafeText;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The entry names of a batch's archive: {@code <variant>/<file>} (or {@code <mode>/<variant>/<file>} when the
 * batch ran in more than one mode). A client's file name keeps its folders but only safe parts of them: no
 * absolute paths, no {@code .} or {@code ..}, no backslash, drive letter, control, reserved or bidirectional-override
 * characters; it ends in the output format's
 * extension (kept when already there, appended otherwise, as {@code scripts/batch} does), and a name taken twice
 * gets {@code -2}, {@code -3}... before its extension. Not thread-safe: one per archive.
 */
final class ArchiveNames {
    private static final int MAX_SEGMENT_CHARS = 100;

    private final Set<String> taken = new HashSet<>();

    /** A name no earlier call returned; {@code fallback} names a file the client sent without a usable name. */
    String next(String mode, String variant, String filename, String format, String fallback) {
        String folder = (mode == null ? "" : safeSegment(mode) + "/") + safeSegment(variant) + "/";
        String path = safePath(filename);
        if (path.isEmpty()) {
            path = fallback;
        }
        String extension = "jpeg".equals(format) ? ".jpg" : "." + format;
        String lower = path.toLowerCase(Locale.ROOT);
        boolean keep = "jpeg".equals(format) ? lower.endsWith(".jpg") || lower.endsWith(".jpeg") : lower.endsWith(extension);
        String file = keep ? path : path + extension;
        String stem = file.substring(0, file.lastIndexOf('.'));
        String ending = file.substring(file.lastIndexOf('.'));
        String name = folder + stem + ending;
        for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) {
            name = folder + stem + "-" + n + ending;
        }
        return name;
    }

    /** The safe relative path of a client's file name; empty when nothing of it is usable. */
    static String safePath(String filename) {
        if (filename == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (String part : filename.split("[/\\\\]+")) {
            String safe = safeSegment(part);
            if (!safe.isEmpty()) {
                parts.add(safe);
            }
        }
        return String.join("/", parts);
    }

    /**
     * One folder or file name: control and reserved characters become '_' (so no {@code C:} drive), bidirectional
     * overrides go (they could show {@code gpj.exe} as {@code exe.jpg}), leading dots go, at most 100 chars.
     */
    static String safeSegment(String part) {
        return SafeText.fileName(part, MAX_SEGMENT_CHARS);
    }
}
