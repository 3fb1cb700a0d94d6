package io.graypipe.front.image;

import io.graypipe.protocol.OutputFormat;
import io.graypipe.protocol.codec.Avif;
import io.graypipe.protocol.codec.WebP;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The front's one look for libwebp and libavif: libavif decodes AVIF uploads here, and both go by name to the
 * worker this front starts, which encodes with them. What is missing is said in one WARN line at start.
 *
 * @param webp loaded libwebp, or empty
 * @param avif loaded libavif, or empty
 */
public record CodecLibraries(Optional<WebP> webp, Optional<Avif> avif) {
    private static final Logger log = LoggerFactory.getLogger(CodecLibraries.class);

    /** Loads both ("off" skips one) and logs what is missing, once. */
    public static CodecLibraries load(String webpLibrary, String avifLibrary) {
        List<String> missing = new ArrayList<>();
        Optional<WebP> webp = load("webp", webpLibrary, WebP.PACKAGE, missing, WebP::load);
        Optional<Avif> avif = load("avif", avifLibrary, Avif.PACKAGE, missing, Avif::load);
        if (missing.isEmpty()) {
            log.info("WebP and AVIF: {} and {} loaded", webpLibrary, avifLibrary);
        } else {
            log.warn("Formats unavailable: {}. A format=webp or format=avif request for it answers 501"
                    + " format_unavailable and format=auto skips it", String.join("; ", missing));
        }
        return new CodecLibraries(webp, avif);
    }

    private static <T> Optional<T> load(String format, String library, String debianPackage, List<String> missing,
                                        java.util.function.BiFunction<String, StringBuilder, Optional<T>> loader) {
        if (library.equalsIgnoreCase("off")) {
            missing.add(format + " (--" + format + "-library off)");
            return Optional.empty();
        }
        StringBuilder whyNot = new StringBuilder();
        Optional<T> codec = loader.apply(library, whyNot);
        if (codec.isEmpty()) {
            missing.add(format + ": " + library + " could not be loaded (" + whyNot + "); install Debian's "
                    + debianPackage);
        }
        return codec;
    }

    /** The formats a worker given these libraries encodes. */
    public List<OutputFormat> encodable() {
        List<OutputFormat> formats = new ArrayList<>(List.of(OutputFormat.JPEG, OutputFormat.PNG));
        webp.ifPresent(w -> formats.add(OutputFormat.WEBP));
        avif.ifPresent(a -> formats.add(OutputFormat.AVIF));
        return formats;
    }

    /** The worker flags that hand these libraries on by name ("off" for one not loaded). */
    public List<String> workerFlags() {
        return List.of("--webp-library", webp.map(WebP::library).orElse("off"),
                "--avif-library", avif.map(Avif::library).orElse("off"));
    }
}
