// Swagger UI on this server's own API description: no external URL (no validator badge), "Try it out" against
// the same origin. A file of its own so that the page needs no inline script.
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout'
  });
});
