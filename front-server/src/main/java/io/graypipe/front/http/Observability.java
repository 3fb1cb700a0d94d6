package io.graypipe.front.http;

import io.graypipe.front.observe.FormatsReport;
import io.graypipe.front.observe.FrontMetrics;
import io.graypipe.front.observe.MetricsExport;
import io.graypipe.protocol.OpCatalogue;
import io.graypipe.protocol.OpChain;
import io.graypipe.protocol.OpDescription;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the endpoints for watching graypipe need (metrics, stats, batches, the web page, the API description and the filter catalogue), kept out of
 * the routing.
 */
public final class Observability {
    private final MetricsExport export;
    private final BatchUploads batches;
    private final Supplier<FormatsReport> formats;
    private final StaticResource page = StaticResource.load("/web/index.html", "text/html; charset=utf-8");
    // The page's script and style are files of their own: the page's Content-Security-Policy allows no inline ones.
    private final StaticResource pageScript = StaticResource.load("/web/page.js", "text/javascript; charset=utf-8");
    private final StaticResource pageStyle = StaticResource.load("/web/page.css", "text/css; charset=utf-8");
    private final StaticResource openApi = StaticResource.load("/web/openapi.json", "application/json");
    private final ApiDocs docs = new ApiDocs();

    public Observability(MetricsExport export, BatchUploads batches, Supplier<FormatsReport> formats) {
        this.export = export;
        this.formats = formats;
        this.batches = batches;
    }

    BatchUploads batches() {
        return batches;
    }

    public FrontMetrics metrics() {
        return export.metrics();
    }

    /** {@code GET /}: the web page. */
    FullHttpResponse page() {
        return page.response();
    }

    /** {@code GET /page.js}: the web page's script. */
    FullHttpResponse pageScript() {
        return pageScript.response();
    }

    /** {@code GET /page.css}: the web page's style sheet. */
    FullHttpResponse pageStyle() {
        return pageStyle.response();
    }

    /** {@code GET /openapi.json}: the API description, kept in step with {@link Route} by a test. */
    FullHttpResponse openApi() {
        return openApi.response();
    }

    /** {@code GET /docs}: Swagger UI on the API description. */
    FullHttpResponse docs() {
        return docs.page();
    }

    /** {@code GET /docs/{name}}: the files of the Swagger UI page. */
    FullHttpResponse docsFile(String name) {
        return docs.file(name);
    }

    /** The body of {@code GET /ops}: every filter operation the {@code ops} parameter takes. */
    record Catalogue(int maxOps, List<OpDescription> ops) {
    }

    /** {@code GET /ops}: the filter catalogue the page and the batch CLI build their controls from. */
    FullHttpResponse ops() {
        return HttpResponses.json(HttpResponseStatus.OK, new Catalogue(OpChain.MAX_OPS, OpCatalogue.operations()));
    }

    /** {@code GET /formats}: what this deployment reads and writes, and what is missing. */
    FullHttpResponse formats() {
        return HttpResponses.json(HttpResponseStatus.OK, formats.get());
    }

    /** {@code GET /metrics}. */
    CompletableFuture<FullHttpResponse> scrapeResponse() {
        return export.scrape().thenApply(body -> HttpResponses.bytes(HttpResponseStatus.OK, export.contentType(), body));
    }

    /** {@code GET /stats}. */
    CompletableFuture<FullHttpResponse> statsResponse() {
        return export.stats(formats)
                .thenApply(body -> HttpResponses.json(HttpResponseStatus.OK, body));
    }
}
