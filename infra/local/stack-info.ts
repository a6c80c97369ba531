/** `.local/stack.json` (docs/api.md "The local stack"): what a client or a test needs to talk to the local stack. */
export interface StackInfo {
  apiUrl: string;
  /** The interactive API reference (Swagger UI over the OpenAPI document), no token needed. */
  docsUrl: string;
  auth: {
    issuer: string;
    jwksUri: string;
    tokenUrl: string;
    userPoolId: string;
    clientId: string;
    cognitoEndpoint: string;
  };
  users: { username: string; password: string; groups: string[] }[];
  bucket: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
  eventsLog: string;
  /** The local EventBridge (PutEvents) endpoint, and the bus's name: `npm run dlq:replay` publishes there. */
  eventBus: { endpoint: string; name: string };
  /** Local extras: each department's queue (JSON lines) and publish-changes' dead-letter file … */
  queues: Record<string, string>;
  deadLetters: string;
  /** … and every stream consumer's dead-letter file, by consumer name (shared/config/streams.ts). */
  deadLetterFiles: Record<string, string>;
  tableName: string;
  /** A local SES v2 (aws-ses-v2-local): every email the backend sends is listed at storeUrl (JSON) and at webUrl. */
  email: { endpoint: string; storeUrl: string; webUrl: string };
  /** Local Slack- and WeChat-Work-style webhook receivers (any path is a webhook); they append to `<dataDir>/channels/<name>.jsonl`. */
  receivers: { slack: string; wecom: string };
}
