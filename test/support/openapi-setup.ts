import { setReplyCheck } from '../../infra/local/api-client.js';
import { assertReplyMatchesDocument } from './openapi-check.js';

// Run before every integration test file (vitest.config.ts setupFiles): every reply a test gets
// through the API client is checked against the OpenAPI document, so the document cannot drift.
setReplyCheck(assertReplyMatchesDocument);
