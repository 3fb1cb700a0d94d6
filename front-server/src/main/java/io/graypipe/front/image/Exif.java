package io.graypipe.front.image;

import com.drew.lang.ByteArrayReader;
import com.drew.lang.GeoLocation;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;

/**
 * EXIF, read by metadata-extractor: the orientation the decoder honours, and the subset {@code POST /info}
 * reports. Never throws on a malformed block: what cannot be read is left out (orientation 1).
 */
final class Exif {
    private Exif() {
    }

    /**
     * Orientation 1..8 from the TIFF-structured EXIF block that starts at {@code data[offset]} (JPEG APP1 after
     * "Exif\0\0", or a PNG eXIf chunk); 1 when the block is malformed, lacks the tag, or holds another value.
     */
    static int orientation(byte[] data, int offset) {
        Metadata metadata = new Metadata();
        try {
            new ExifReader().extract(new ByteArrayReader(data), metadata, offset);
        } catch (RuntimeException e) {
            return 1;
        }
        return orientation(metadata);
    }

    /** Orientation 1..8 of IFD0 in {@code metadata}, or 1. */
    static int orientation(Metadata metadata) {
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        Integer value = ifd0 == null ? null : ifd0.getInteger(ExifDirectoryBase.TAG_ORIENTATION);
        return value != null && value >= 1 && value <= 8 ? value : 1;
    }

    /**
     * The EXIF subset of {@code POST /info}, or null without EXIF. GPS coordinates only when {@code full}; otherwise
     * just whether the file carries them.
     */
    static ImageFacts.ExifSummary summary(Metadata metadata, boolean full) {
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        ExifSubIFDDirectory sub = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
        GpsDirectory gps = metadata.getFirstDirectoryOfType(GpsDirectory.class);
        if (ifd0 == null && sub == null && gps == null) {
            return null;
        }
        String date = string(sub, ExifDirectoryBase.TAG_DATETIME_ORIGINAL);
        if (date == null) {
            date = string(ifd0, ExifDirectoryBase.TAG_DATETIME);
        }
        GeoLocation location = full && gps != null ? gps.getGeoLocation() : null;
        return new ImageFacts.ExifSummary(string(ifd0, ExifDirectoryBase.TAG_MAKE),
                string(ifd0, ExifDirectoryBase.TAG_MODEL), date,
                number(sub, ExifDirectoryBase.TAG_EXPOSURE_TIME), number(sub, ExifDirectoryBase.TAG_FNUMBER),
                sub == null ? null : sub.getInteger(ExifDirectoryBase.TAG_ISO_EQUIVALENT),
                gps != null && gps.getTagCount() > 0,
                location == null ? null : location.getLatitude(), location == null ? null : location.getLongitude());
    }

    private static String string(Directory directory, int tag) {
        String value = directory == null ? null : directory.getString(tag);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Double number(Directory directory, int tag) {
        return directory == null ? null : directory.getDoubleObject(tag);
    }
}
