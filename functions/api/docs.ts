// primary adapter (HTTP API) → the API reference page (Swagger UI) and its allow-listed files; no store call.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { apiHandler } from '../../shared/http/api-handler.js';
import { DOCS_ASSETS, DOCS_PACKAGE } from '../../shared/http/docs-assets.js';
import { problems } from '../../shared/http/problems.js';
import { docsRoutes } from '../../shared/http/route-index.js';

/**
 * The package's files, resolved as a require would: locally from the project's node_modules, in AWS
 * from the copy AppFunction puts beside the bundle (node_modules/swagger-ui-dist/…). One path, both places.
 */
const resolvePackage = createRequire(import.meta.url).resolve;
const readPackageFile = (file: string) => readFileSync(resolvePackage(`${DOCS_PACKAGE}/${file}`));

// Swagger UI on our own document, no top bar (whose URL box would load any other document into this
// page), no calls to the public validator. The CSP admits exactly this inline script, by its hash.
const INIT = `window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', validatorUrl: null, queryConfigEnabled: false });`;

const CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(INIT).digest('base64')}'`,
  // Swagger UI sets inline styles and draws its icons as data: SVGs.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SAFETY = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** Relative URLs (from /v1/docs), stamped with the package version so the files may be cached for good. */
function page(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Concord CRM API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css?v=${version}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js?v=${version}"></script>
<script>${INIT}</script>
</body>
</html>
`;
}

let html: string | undefined;
/** Each file read (and gzipped) once per warm function: HTTP APIs do not compress replies themselves. */
const files = new Map<string, { plain: string; gzip: Buffer }>();

function fileOf(name: string) {
  let file = files.get(name);
  if (!file) {
    const plain = readPackageFile(name);
    file = { plain: plain.toString('utf8'), gzip: gzipSync(plain) };
    files.set(name, file);
  }
  return file;
}

const acceptsGzip = (header: string | undefined) =>
  /\bgzip\b/i.test(header ?? '') && !/\bgzip\s*;\s*q=0(\.0*)?\s*(,|$)/i.test(header ?? '');

export const handler = apiHandler(docsRoutes, async (request) => {
  const asset = request.params.asset;
  if (asset === undefined) {
    html ??= page((JSON.parse(readPackageFile('package.json').toString()) as { version: string }).version);
    const headers = {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'cache-control': 'public, max-age=300',
      ...SAFETY,
    };
    return { raw: html, headers };
  }
  // Only allow-listed names: nothing else of the package (or the disk) is reachable.
  if (!Object.hasOwn(DOCS_ASSETS, asset)) throw problems.notFound('No such file.');
  const file = fileOf(asset);
  const gzip = acceptsGzip(request.header('accept-encoding'));
  const headers: Record<string, string> = {
    'content-type': DOCS_ASSETS[asset]!,
    'cache-control': 'public, max-age=31536000, immutable',
    vary: 'accept-encoding',
    ...SAFETY,
  };
  if (gzip) headers['content-encoding'] = 'gzip';
  return { raw: gzip ? file.gzip : file.plain, headers };
});
