import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { stopAll } from './engines/processes.js';
import { reportCharts } from './report-charts.js';
import { dataModeOf, seedIfNew } from './seed.js';
import { startStack } from './stack.js';

/**
 * `npm start`: the whole backend on this machine with demo data, kept in `.local/data` across restarts.
 * `npm start -- --fresh` wipes it and starts again from the demo data; `-- --empty` wipes it and starts
 * with no records (the demo users are still there to sign in). PORT picks the API port;
 * CONCORD_LOCAL_DIR moves `.local` (the benchmarks and tests use a temp one). Ctrl-C stops everything.
 */
const LOCAL_DIR = process.env.CONCORD_LOCAL_DIR ?? '.local';
const port = Number(process.env.PORT ?? 3000);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

async function main() {
  const mode = dataModeOf(process.argv.slice(2));
  console.log(`Concord CRM — local stack${mode === 'keep' ? '' : ` (${mode})`}`);
  const stack = await startStack({
    port,
    dataDir: join(LOCAL_DIR, 'data'),
    persistent: true,
    fresh: mode !== 'keep',
    log: (msg) => console.log(`  ${msg}`),
    progress: (step) => console.log(`  [${elapsed()}] ${step}`),
  });
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`\n${signal}: stopping the local stack…`);
    await stack.stop();
    await stopAll();
    console.log('stopped; no process left behind.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const count = await seedIfNew(stack, mode, () => console.log(`  [${elapsed()}] demo data`));
  if (count > 0) console.log(`  seeded ${count} records`);
  else console.log(stack.fresh ? '  no demo records (--empty)' : '  data kept from the last start');
  await mkdir(LOCAL_DIR, { recursive: true });
  await writeFile(join(LOCAL_DIR, 'stack.json'), `${JSON.stringify(stack.info, null, 2)}\n`);
  const reports = await reportCharts(stack, count > 0, (step) => console.log(`  [${elapsed()}] ${step}`));

  const { info } = stack;
  const rel = (p: string) => relative(process.cwd(), p);
  const received = (kind: string) => rel(join(dirname(info.eventsLog), 'channels', `${kind}.jsonl`));
  const channelsNote = {
    fresh: "each department's news from the demo data (support: its cases, won deals, handoffs to it)",
    empty: 'none set (--empty): PUT /v1/admin/channels/{dept} as ada',
    keep: 'as set before (the demo data sets every department’s)',
  }[count > 0 ? 'fresh' : mode];
  console.log(`
Ready in ${elapsed()}.
  API            ${info.apiUrl}/v1   (OpenAPI: ${info.apiUrl}/v1/openapi.json)
  API reference  ${info.docsUrl}   (in a browser, no token needed)
  tokens         POST ${info.auth.tokenUrl}  {"username","password"}
  Cognito        ${info.auth.cognitoEndpoint}  pool ${info.auth.userPoolId}
  DynamoDB       ${info.dynamodbEndpoint}  table ${info.tableName}
  S3             ${info.s3Endpoint}  bucket ${info.bucket}
  events log     ${rel(info.eventsLog)}
  stack file     ${LOCAL_DIR}/stack.json
Channels (docs/channels.md): ${channelsNote}
  "Slack"        ${received('slack')}   (receiver ${info.receivers.slack})
  "WeChat Work"  ${received('wecom')}   (receiver ${info.receivers.wecom})
  mailbox (SES)  ${info.email.webUrl}   (channel emails and user invitations; JSON ${info.email.storeUrl})
${reports}
Demo users (password ${info.users[0]?.password}):
${info.users.map((u) => `  ${u.username.padEnd(8)} ${u.groups.join(', ')}`).join('\n')}
Try:
  TOKEN=$(curl -s -X POST ${info.auth.tokenUrl} -d '{"username":"sally","password":"${info.users[0]?.password}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).idToken')
  curl -s -H "authorization: Bearer $TOKEN" ${info.apiUrl}/v1/accounts
Ctrl-C stops everything.`);
}

main().catch(async (error: unknown) => {
  console.error(`\nThe local stack could not start: ${(error as Error).message}`);
  await stopAll();
  process.exit(1);
});
