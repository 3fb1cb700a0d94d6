package io.graypipe.front.image;

import io.graypipe.protocol.turbojpeg.TurboJpeg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The front's one look for libturbojpeg, which serves its shrink-on-load decoder and the worker it starts (which
 * is told "off" when the front found nothing). A front without the library says so here, once, in one line.
 */
public final class TurboJpegLibrary {
    private static final Logger log = LoggerFactory.getLogger(TurboJpegLibrary.class);

    private TurboJpegLibrary() {
    }

    /** {@code library} loaded, or empty when it is "off" or cannot be loaded (logged once, as a warning). */
    public static Optional<TurboJpeg> load(String library) {
        if (library.equalsIgnoreCase("off")) {
            log.info("TurboJPEG: off (--turbojpeg-library off); ImageIO decodes JPEGs at full size and encodes them");
            return Optional.empty();
        }
        StringBuilder whyNot = new StringBuilder();
        Optional<TurboJpeg> turbo = TurboJpeg.load(library, whyNot);
        if (turbo.isEmpty()) {
            log.warn("TurboJPEG fallback: {} could not be loaded ({}), so JPEGs are decoded at full size through ImageIO"
                    + " (no shrink-on-load) and the local worker encodes them with ImageIO: correct, but slower."
                    + " Install libjpeg-turbo's TurboJPEG library (Debian: libturbojpeg0) to enable them", library, whyNot);
        }
        return turbo;
    }
}
