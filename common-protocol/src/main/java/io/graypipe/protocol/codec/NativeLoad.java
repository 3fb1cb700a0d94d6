package io.graypipe.protocol.codec;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/** Loading a codec library by JNA direct mapping, shared by {@link WebP} and {@link Avif}. */
final class NativeLoad {
    private static final java.util.Set<Class<?>> BOUND = new java.util.HashSet<>();

    private NativeLoad() {
    }

    /**
     * Opens {@code library}, checks that it has every one of {@code functions} (so an old library fails here, not on
     * the first image), and binds {@code api}'s native methods to it, once per JVM.
     */
    static NativeLibrary open(String library, Class<?> api, String... functions) {
        NativeLibrary lib = NativeLibrary.getInstance(library);
        for (String function : functions) {
            lib.getFunction(function);
        }
        synchronized (BOUND) {
            // Bound by an earlier load in this JVM: its methods already reach the library.
            if (BOUND.add(api)) {
                Native.register(api, lib);
            }
        }
        return lib;
    }

    /** JNA's message spans lines and repeats itself: one log line says it all. */
    static String oneLine(Throwable e) {
        return String.join("; ", String.valueOf(e.getMessage()).lines().map(String::strip)
                .filter(line -> !line.isEmpty()).distinct().toList());
    }
}
