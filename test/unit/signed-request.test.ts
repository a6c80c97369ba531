import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeAndWait, invokeAsync } from '../../shared/aws/lambda.js';
import { AWS_SERVICES } from '../../shared/aws/services.js';
import { AwsError, bodyText, callJson, presignedUrl, sendSigned } from '../../shared/aws/signed-request.js';
import { type AwsStub, startAwsStub } from '../support/aws-stub.js';

let stub: AwsStub;

beforeAll(async () => {
  stub = await startAwsStub([AWS_SERVICES.cognito, AWS_SERVICES.lambda]);
});
afterEach(() => {
  stub.reset();
  vi.unstubAllEnvs();
});
afterAll(() => stub.close());

describe('a JSON-protocol call', () => {
  it('is signed for its service and region, with its target, and answers the parsed body', async () => {
    // Prepare
    stub.replies = [{ status: 200, body: '{"Users":[{"Username":"ana"}]}' }];

    // Act
    const out = await callJson(AWS_SERVICES.cognito, 'AWSCognitoIdentityProviderService.ListUsers', {
      UserPoolId: 'p',
    });

    // Assess
    expect(out).toEqual({ Users: [{ Username: 'ana' }] });
    const [request] = stub.seen;
    expect(request?.method).toBe('POST');
    expect(request?.headers['x-amz-target']).toBe('AWSCognitoIdentityProviderService.ListUsers');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request?.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID}/\\d{8}/${process.env.AWS_REGION}/cognito-idp/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(JSON.parse(request?.body ?? '')).toEqual({ UserPoolId: 'p' });
  });

  it('throws the error AWS names, by its JSON __type, its header or S3 XML', async () => {
    // Prepare
    stub.replies = [
      { status: 400, body: '{"__type":"com.amazonaws#UsernameExistsException","message":"taken"}' },
      { status: 404, headers: { 'x-amzn-errortype': 'NotFoundException:http://x' }, body: '' },
      {
        status: 404,
        headers: { 'content-type': 'application/xml' },
        body: '<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>',
      },
    ];
    const call = () => callJson(AWS_SERVICES.cognito, 'T.Op', {});

    // Act / Assess
    await expect(call()).rejects.toMatchObject({
      name: 'UsernameExistsException',
      message: 'taken',
      status: 400,
    });
    await expect(call()).rejects.toMatchObject({ name: 'NotFoundException', status: 404 });
    await expect(call()).rejects.toMatchObject({ name: 'NoSuchKey', message: 'gone', status: 404 });
    expect(stub.seen).toHaveLength(3);
  });

  it('tries again on a 5xx or throttling, never on a client error', async () => {
    // Prepare
    stub.replies = [
      { status: 500, body: '{"__type":"InternalErrorException"}' },
      { status: 400, body: '{"__type":"TooManyRequestsException"}' },
      { status: 200, body: '{"ok":true}' },
    ];

    // Act
    const out = await callJson(AWS_SERVICES.cognito, 'T.Op', {});
    stub.replies = [{ status: 400, body: '{"__type":"InvalidParameterException"}' }];
    const refused = await callJson(AWS_SERVICES.cognito, 'T.Op', {}).catch((e: unknown) => e);

    // Assess
    expect(out).toEqual({ ok: true });
    expect(refused).toBeInstanceOf(AwsError);
    expect(stub.seen).toHaveLength(4);
  });

  it('ends a try that gets no answer within its time, as a TimeoutError', async () => {
    // Prepare: a reply that never comes
    stub.replies = [{ status: 0 }];

    // Act
    const error = await sendSigned(
      { service: AWS_SERVICES.cognito, method: 'GET', path: '/' },
      { attempts: 1, timeoutMs: 300 },
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(stub.seen).toHaveLength(1);
  });

  it('gives up after its attempts', async () => {
    // Prepare
    stub.replies = [{ status: 503 }, { status: 503 }, { status: 503 }];

    // Act
    const error = await sendSigned(
      { service: AWS_SERVICES.cognito, method: 'GET', path: '/' },
      { attempts: 2 },
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status: 503 });
    expect(stub.seen).toHaveLength(2);
  });
});

describe('a presigned URL', () => {
  const presignedGet = async (path: string, expires: number) =>
    new URL(
      await presignedUrl({ service: AWS_SERVICES.s3, method: 'GET', host: 'b.s3.example', path }, expires),
    );

  it('carries its signature, expiry and credential scope in the query, and no Authorization', async () => {
    // Act
    const url = await presignedGet('/a%20b/c.csv', 900);

    // Assess
    expect(url.host).toBe('b.s3.example');
    expect(url.pathname).toBe('/a%20b/c.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('with a host of its own, takes neither the port nor the scheme of a local S3 engine', async () => {
    // Prepare: the integration stack's engine variable, as a worker started after it inherits it
    vi.stubEnv('AWS_ENDPOINT_URL_S3', 'http://127.0.0.1:43077/base');

    // Act
    const url = await presignedGet('/c.csv', 60);

    // Assess
    expect(url.origin).toBe('https://b.s3.example');
    expect(url.pathname).toBe('/c.csv');
  });
});

describe('Lambda invocations', () => {
  it('queue an event (202) and run one for its result', async () => {
    // Prepare
    stub.replies = [{ status: 202 }, { status: 200, body: '{"snapshots":["x"]}' }];

    // Act
    await invokeAsync('job fn', { importId: '1' });
    const result = await invokeAndWait('renderer', { reports: ['pipeline'] }, 5_000);

    // Assess
    expect(stub.seen.map((s) => [s.url, s.headers['x-amz-invocation-type']])).toEqual([
      ['/2015-03-31/functions/job%20fn/invocations', 'Event'],
      ['/2015-03-31/functions/renderer/invocations', 'RequestResponse'],
    ]);
    expect(result).toEqual({ snapshots: ['x'] });
  });

  it("throw the function's own error, by its type", async () => {
    // Prepare
    stub.replies = [
      {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' },
        body: '{"errorType":"RangeError","errorMessage":"bad"}',
      },
      { status: 200 },
    ];

    // Act / Assess
    await expect(invokeAndWait('renderer', {}, 5_000)).rejects.toMatchObject({
      name: 'RangeError',
      message: 'renderer failed: bad',
    });
    await expect(invokeAsync('job', {})).rejects.toThrow(/did not queue job: 200/);
  });
});

describe('a response body', () => {
  it('is read whole, and is empty when there is none', async () => {
    expect(await bodyText({ status: 204, headers: {}, body: undefined })).toBe('');
  });
});
