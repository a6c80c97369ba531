/**
 * The API reference page (`GET /v1/docs`): Swagger UI from the npm package, served by our own routes,
 * never from a CDN. One list of its files feeds the handler's allow-list, the OpenAPI document and what
 * AppFunction copies beside the docs bundle (in AWS there is no node_modules to read them from).
 */
export const DOCS_PACKAGE = 'swagger-ui-dist';

/** The only files `GET /v1/docs/{asset}` serves, with their media types (RFC 9239: text/javascript). */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

/** What the docs function reads of the package at run time: its version (for cache-busting URLs) and the assets. */
export const DOCS_PACKAGE_FILES: readonly string[] = ['package.json', ...Object.keys(DOCS_ASSETS)];
