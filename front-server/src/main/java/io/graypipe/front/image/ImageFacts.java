package io.graypipe.front.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.graypipe.protocol.ImageFormat;

/**
 * What {@code POST /info} reports of an image, read from its headers without decoding a pixel.
 *
 * @param format         from the file's first bytes (JSON: its label, jpeg, png, gif, bmp, webp or avif)
 * @param width          stored width
 * @param height         stored height
 * @param orientation    EXIF orientation 1..8 (1 when absent); 5..8 swap the sides
 * @param uprightWidth   width after the orientation is applied, the size graypipe works from
 * @param uprightHeight  height after the orientation is applied
 * @param colourModel    gray, rgb, cmyk, ycck or palette
 * @param bitsPerSample  bits per colour sample (per index for a palette)
 * @param hasAlpha       an alpha channel, or a transparent palette entry
 * @param icc            the embedded ICC profile
 * @param frames         frame count, or null where the container does not say without decoding (animated AVIF)
 * @param animated       more than one frame, or an animation container
 * @param exif           the EXIF subset, or null without EXIF
 */
public record ImageFacts(ImageFormat format, int width, int height, int orientation, int uprightWidth, int uprightHeight,
                         String colourModel, int bitsPerSample, boolean hasAlpha, Icc icc, Integer frames,
                         boolean animated, ExifSummary exif) {

    /** An embedded ICC profile: whether there is one, and its description tag. */
    public record Icc(boolean present, String description) {
    }

    /**
     * The EXIF fields {@code POST /info} reports. {@code gpsLatitude}/{@code gpsLongitude} (signed decimal degrees)
     * are filled only for {@code exif=full}, and left out of the JSON otherwise.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExifSummary(String make, String model, String dateTaken, Double exposureTime, Double fNumber,
                              Integer iso, boolean gpsPresent, Double gpsLatitude, Double gpsLongitude) {
    }
}
