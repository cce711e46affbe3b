// Control-plane benchmark (issue 4 "Benchmark"): a boot storm of GET /boot/{mac}.ipxe over N registered servers
// (a random one per request) and signed GET /1.0/dedicated/server/{sn}/task/{id}, with wrk (autocannon when wrk
// is not installed) against a server in another process on loopback, on SQLite and (with BENCH_POSTGRES_URL or
// BYOI_TEST_POSTGRES_URL) on PostgreSQL. Prints the figures, with the server's CPU time per request, and writes
// them to docs/BENCHMARKS.md under "## Control plane".
//
// Each database is measured twice: the server as one process, and as BENCH_WORKERS node:cluster workers on one
// port (`byoi serve --workers N`; default auto, one per CPU; BENCH_WORKERS=1 measures the single process only).
//
//   npm run bench -- control-plane            BENCH_SERVERS=10000 BENCH_SECONDS=10 BENCH_WORKERS=auto by default
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import pg from 'pg';
import autocannon, { type AutocannonResult } from 'autocannon';

interface ServerInfo {
  origin: string;
  servers: number;
  dialect: string;
  keys: { applicationKey: string; applicationSecret: string; consumerKey: string };
  taskPath: string;
  workers: number;
  /** The server's processes (the primary and its workers, or the one process): their CPU time is the server's. */
  pids: number[];
}

interface Row {
  database: string;
  scenario: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuMicros: number;
  met: string;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const workersText = process.env.BENCH_WORKERS ?? 'auto';
const workers = workersText === 'auto' ? availableParallelism() : Number(workersText);
if (!Number.isInteger(workers) || workers < 1) throw new Error(`BENCH_WORKERS must be auto or a count, got ${workersText}`);
/**
 * wrk (Debian package wrk, written in C) costs far less CPU per request than autocannon (about a whole core at
 * 5,000 req/s), and here the load generator shares the server's two cores: it makes every run when installed,
 * the paced ones through bench/paced.lua. autocannon is the fallback.
 */
const hasWrk = spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
const run = promisify(execFile);

/** A run's figures, whichever tool made them. */
interface Figures {
  rps: number;
  /** Requests completed in the run. */
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  tool: string;
}

function fromAutocannon(result: AutocannonResult): Figures {
  return {
    rps: Math.round(result.requests.average),
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    tool: 'autocannon',
  };
}

/** wrk --latency output → figures (latencies in ms). `rate` paces the run (bench/paced.lua, through the script). */
async function wrkRun(url: string, extra: string[], rate?: number): Promise<Figures> {
  const env = rate === undefined ? process.env : { ...process.env, BENCH_RATE: String(rate) };
  const { stdout } = await run('wrk', ['-t', '1', '-c', '64', '-d', `${seconds}s`, '--latency', ...extra, url], { maxBuffer: 1024 * 1024, env });
  const ms = (text: string | undefined): number => {
    const match = /([\d.]+)(us|ms|s)/.exec(text ?? '');
    if (match === null) return Number.NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0)),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
    p50: Math.round(ms(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1]) * 100) / 100,
    p99: Math.round(ms(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1]) * 100) / 100,
    errors: (errors === null ? 0 : errors.slice(1).reduce((sum, n) => sum + Number(n), 0)) + Number(non2xx?.[1] ?? 0),
    tool: 'wrk',
  };
}
const root = new URL('..', import.meta.url).pathname;
const rows: Row[] = [];

async function startServer(databaseUrl: string | undefined, serverWorkers: number): Promise<{ info: ServerInfo; child: ChildProcess }> {
  const env: Record<string, string | undefined> = { ...process.env, BENCH_WORKERS: String(serverWorkers) };
  if (databaseUrl !== undefined) env.BENCH_DATABASE_URL = databaseUrl;
  const child = spawn(process.execPath, ['--import', 'tsx', `${root}bench/_control-plane-server.ts`], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code})`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as ServerInfo));
  });
  return { info, child };
}

function mac(i: number): string {
  return `02-bb-00-${((i >> 16) & 0xff).toString(16).padStart(2, '0')}-${((i >> 8) & 0xff).toString(16).padStart(2, '0')}-${(i & 0xff).toString(16).padStart(2, '0')}`;
}

async function bootStorm(info: ServerInfo, overallRate: number | undefined): Promise<Figures> {
  if (hasWrk) return wrkRun(info.origin, ['-s', `${root}bench/boot-storm.lua`], overallRate);
  return fromAutocannon(await autocannon({
    url: info.origin,
    connections: 64,
    duration: seconds,
    ...(overallRate === undefined ? {} : { overallRate }),
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/boot/${mac(Math.floor(Math.random() * info.servers))}.ipxe` }) }],
  }));
}

async function signedTaskGets(info: ServerInfo): Promise<Figures> {
  // One signature for the run: GETs may repeat a signature (replay protection covers the other methods) and the
  // run is shorter than the accepted clock skew. The signed URL is the full one, as go-ovh and python-ovh sign.
  const timestamp = String(Math.floor(Date.now() / 1000));
  const url = `${info.origin}${info.taskPath}`;
  const signature = `$1$${createHash('sha1').update([info.keys.applicationSecret, info.keys.consumerKey, 'GET', url, '', timestamp].join('+')).digest('hex')}`;
  const headers = { 'x-ovh-application': info.keys.applicationKey, 'x-ovh-consumer': info.keys.consumerKey, 'x-ovh-timestamp': timestamp, 'x-ovh-signature': signature };
  if (hasWrk) return wrkRun(url, Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]));
  return fromAutocannon(await autocannon({ url, connections: 64, duration: seconds, headers }));
}

/**
 * CPU time (user + system) the process `pid` has used, in µs, from /proc (Linux; undefined elsewhere). Per
 * request it is the server's cost whatever else runs on the machine, unlike requests/s on shared cores.
 */
function cpuMicros(pids: readonly number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    if (!existsSync(`/proc/${pid}/stat`)) return undefined;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    total += ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicks;
  }
  return total;
}
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Runs one scenario and records its figures with the server's CPU µs per request. */
async function measure(label: string, scenario: string, target: string, pids: readonly number[], load: () => Promise<Figures>, met: (r: Figures) => boolean): Promise<void> {
  const before = cpuMicros(pids);
  const result = await load();
  const after = cpuMicros(pids);
  const cpu = before === undefined || after === undefined || result.requests === 0 ? Number.NaN : Math.round((after - before) / result.requests);
  const row: Row = { database: label, scenario: `${scenario} (${result.tool})`, target, rps: result.rps, p50: result.p50, p99: result.p99, errors: result.errors, cpuMicros: cpu, met: met(result) ? 'yes' : 'no' };
  rows.push(row);
  process.stdout.write(`${label} ${scenario}: ${row.rps} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, errors ${row.errors}, server CPU ${cpu} µs/request (target ${target}: ${row.met})\n`);
}

/** The server as one process, then (BENCH_WORKERS > 1) as that many workers: each gets its own rows. */
const serverShapes = workers > 1 ? [1, workers] : [1];
const shapeLabel = (database: string, serverWorkers: number) => `${database}, ${serverWorkers === 1 ? '1 process' : `${serverWorkers} workers`}`;

async function benchServer(label: string, databaseUrl: string | undefined, serverWorkers: number): Promise<void> {
  const { info, child } = await startServer(databaseUrl, serverWorkers);
  const { pids } = info;
  try {
    // Warm up (JIT, prepared statements, pool) before measuring.
    await autocannon({ url: `${info.origin}/boot/${mac(1)}.ipxe`, connections: 16, duration: 2 });
    await measure(label, `boot storm, ${info.servers} servers, paced at 5,000 req/s`, 'p99 < 20 ms at 5,000 req/s', pids, () => bootStorm(info, 5000), (r) => r.p99 < 20 && r.rps >= 4900);
    await measure(label, `boot storm, ${info.servers} servers, unpaced`, 'max', pids, () => bootStorm(info, undefined), () => true);
    await measure(label, 'signed GET /1.0/dedicated/server/{sn}/task/{id}, unpaced', '>= 3,000 req/s', pids, () => signedTaskGets(info), (r) => r.rps >= 3000);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function postgresLeg(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const base = process.env.BENCH_POSTGRES_URL ?? process.env.BYOI_TEST_POSTGRES_URL;
  if (base === undefined || base === '') return undefined;
  const schema = `byoi_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const version = (await admin.query('SHOW server_version')).rows[0] as { server_version: string };
  await admin.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  pgVersion = version.server_version;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

let pgVersion: string | undefined;

const loadAtStart = loadavg().map((n) => n.toFixed(1)).join(', ');
for (const serverWorkers of serverShapes) await benchServer(shapeLabel('SQLite', serverWorkers), undefined, serverWorkers);
for (const serverWorkers of serverShapes) {
  // A fresh schema per server: the seeding registers the same servers again.
  const postgres = await postgresLeg();
  if (postgres === undefined) {
    process.stdout.write('PostgreSQL: skipped (set BENCH_POSTGRES_URL or BYOI_TEST_POSTGRES_URL)\n');
    break;
  }
  try {
    await benchServer(shapeLabel(`PostgreSQL ${pgVersion ?? ''}`.trim(), serverWorkers), postgres.url, serverWorkers);
  } finally {
    await postgres.drop();
  }
}

/** What the figures mean and what was done about them (kept here so every run writes them again). */
const notes = [
  'Notes. The boot script costs one indexed read (the server joined with its active task, boot/server-lookup.ts: the',
  'boot service\'s columns only, as an array row); the signed task GET two: the caller (credential, application,',
  'account) and the caller\'s server joined with the task (the reply\'s columns only). On SQLite these reads run on',
  'a read-only second connection straight through better-sqlite3 (store/first-row-reader.ts), not through Kysely.',
  'Their SQL is built once; SQLite keeps the statements prepared, PostgreSQL keeps them as named prepared',
  'statements (store/prepared-statements.ts), and on PostgreSQL the reads of one kind asked in the same event-loop',
  'turn share one statement (store/read-batcher.ts). No request makes a request logger unless it writes a line',
  '(http/lazy-child-logger.ts); each signed request writes one access line, without the redaction pass that cannot',
  'change its fields; the boot routes write none. Nothing is cached: a revoked credential or a',
  'changed server is seen on the next request by every instance (docs/ARCHITECTURE.md, "The control plane\'s hot',
  'paths"). What remains per request is mostly the database read and the reply\'s write to the socket (on loopback',
  'the kernel\'s work for the receiver is counted to the server). "1 process" rows: the server is one Node process,',
  'so it uses at most one core. "N workers" rows: `byoi serve --workers N` (node:cluster, one port, round-robin per',
  'connection); its CPU figure sums the primary and the workers. The load generator, PostgreSQL and other work',
  'share the same cores (see the load average). wrk paces with',
  'bench/paced.lua (send slots at the rate, closed loop like autocannon\'s overallRate), so the paced runs no',
  'longer spend a core in the load generator.',
];

const cpu = cpus();
const section = [
  '## Control plane',
  '',
  `Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- control-plane\` (bench/control-plane.ts): 64 connections, ${hasWrk ? 'wrk (paced runs: bench/paced.lua hands out send slots at the rate, closed loop like autocannon\'s overallRate)' : 'autocannon (wrk is not installed)'},`,
  `${seconds} s per run after a 2 s warm-up, against \`byoi\`'s app (OVH API + boot service, info-level JSON logs to /dev/null) in its own`,
  `process, or ${workers} cluster workers, on 127.0.0.1. Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version};`,
  'load generator and server share those cores. Boot storm: each request asks for the script of a random one of the',
  'registered servers (half UEFI with an efiBootloaderPath, half legacy; no install running). Signed task GET: one',
  'credential, OVH signature checked on every request (GETs may repeat a signature).',
  `Load average when the runs started: ${loadAtStart}. Other work on the machine shares the cores and lowers the figures.`,
  '',
  'Server CPU µs/request: the server process\'s user + system CPU time during the run (/proc) over the requests',
  'completed, a figure that other work on the machine changes far less than requests/s.',
  '',
  '| Database | Scenario | Requests/s | p50 ms | p99 ms | Errors | Server CPU µs/request | Target | Met |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.database} | ${r.scenario} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.cpuMicros} | ${r.target} | ${r.met} |`),
  '',
  ...notes,
  '',
];
const path = `${root}docs/BENCHMARKS.md`;
const existing = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n\n';
const start = existing.indexOf('## Control plane');
let next = start < 0 ? -1 : existing.indexOf('\n## ', start + 1);
if (next >= 0) next += 1;
const updated =
  start < 0 ? `${existing.trimEnd()}\n\n${section.join('\n')}` : `${existing.slice(0, start)}${section.join('\n')}${next < 0 ? '' : `\n${existing.slice(next)}`}`;
writeFileSync(path, `${updated.trimEnd()}\n`);
process.stdout.write(`wrote ${path}\n`);
