// Swagger UI over Shanzhi's own document. The validator badge is off: it
// would send the document to validator.swagger.io, and intranets have no
// internet.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#docs",
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
