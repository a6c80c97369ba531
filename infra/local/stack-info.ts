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
  /** Local extras: each department's queue (JSON lines) and the stream dead-letter file. */
  queues: Record<string, string>;
  deadLetters: string;
  tableName: string;
}
