package io.graypipe.front.archfixture;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Domain code holding a Netty HTTP type, made on purpose for ArchitectureTest. Never used. */
public final class HttpCodecOutsideHttp {
    HttpResponseStatus status;
}
