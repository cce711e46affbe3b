// Deploy-engine benchmark (issue 3 "Benchmark"): `byoi deploy` as a real process against its baselines, in one
// run, on the same images served by a local HTTP server in another process, onto a file on the same disk.
//
//   raw:   byoi (sha256 checked, fsync) vs the machine's limit `curl -o disk && sync disk` (no hash), the
//          pipelined shell `curl | tee >(openssl dgst -sha256) > disk && sync disk`, and the staged OVH way
//          (curl to /dev/shm, openssl dgst, copy to the disk, sync)
//   qcow2: byoi vs `curl -o /dev/shm/tmp && qemu-img convert -O raw /dev/shm/tmp disk && sync disk`, for a plain,
//          a deflate and a zstd qcow2 of the same disk
//   rss:   byoi's peak RSS deploying a 16 GiB-virtual qcow2
//
// "byoi" is `byoi deploy` bundled into one file by esbuild (bench/deploy-bundle.ts), as the rescue system carries
// the agent; "byoi (tsx CLI)" is `node bin/byoi.mjs deploy` from the checkout (raw image only), whose start-up
// compiles and loads every command's modules through tsx.
//
// Every method runs --runs times, interleaved (the order rotates each round), after waiting for the load average
// to drop; the medians, ratios and targets go to docs/BENCHMARKS.md under "## Deploy engine".
//
//   npm run bench -- deploy [--size 4G] [--runs 3] [--only raw,plain,deflate,zstd,rss] [--max-load 1.5] [--no-write]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchImages, sparse16Image, type BenchImage } from './deploy-images.ts';
import { gnuTime, loadNow, measure, median, waitForQuiet, type Measurement } from './deploy-measure.ts';
import { bundleDeploy } from './deploy-bundle.ts';
import { startBenchServer, type BenchServer } from './deploy-server.ts';

const MiB = 1024 * 1024;
const root = new URL('..', import.meta.url).pathname;
const cacheDir = join(root, '.cache', 'bench-deploy');
const workDir = join(cacheDir, 'run');
const disk = join(workDir, 'disk.img');
const shmFile = `/dev/shm/byoi-bench-deploy-${process.pid}`;
const hashFile = join(workDir, 'pipelined.sha256');
/** Room after the image for byoi's config drive (64 MiB) and the moved backup GPT. */
const DISK_SLACK = 256 * MiB;

const { values: flags } = parseArgs({
  args: process.argv.slice(3),
  options: {
    size: { type: 'string', default: '4G' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'raw,plain,deflate,zstd,rss' },
    'max-load': { type: 'string', default: '1.5' },
    'wait-tries': { type: 'string', default: '6' },
    'wait-seconds': { type: 'string', default: '20' },
    'no-write': { type: 'boolean', default: false },
    /** Another checkout of byoi (e.g. `git archive` of an older commit) run as one more method, "byoi (before)". */
    before: { type: 'string' },
  },
});

function parseSize(text: string): number {
  const match = /^(\d+)([KMGT]?)$/i.exec(text);
  if (match === null) throw new Error(`--size: expected a size like 4G or 512M, got ${text}`);
  const units: Record<string, number> = { '': 1, K: 1024, M: MiB, G: 1024 * MiB, T: 1024 * 1024 * MiB };
  return Number(match[1]) * (units[(match[2] ?? '').toUpperCase()] ?? 1);
}

const sizeBytes = parseSize(flags.size);
const runs = Number(flags.runs);
const only = flags.only.split(',');
const maxLoad = Number(flags['max-load']);
const waitTries = Number(flags['wait-tries']);
const waitSeconds = Number(flags['wait-seconds']);

interface Method {
  name: string;
  /** The command as a reader would type it (for the docs). */
  shown: string;
  run(image: BenchImage, url: string): Promise<Measurement>;
  /** Checks the run did the job (digest printed, byoi's result ok); byoi's returns the seconds its result gives. */
  check?(image: BenchImage, measurement: Measurement): number | undefined;
}

interface Row {
  image: BenchImage;
  method: Method;
  measurements: Measurement[];
  /** byoi only: the deploy's own seconds (its result's `seconds`: without Node's and the CLI's start-up). */
  deploySeconds: number[];
}

/** Set once the bundle is built (before the first run). */
let bundlePath = '';

/** `byoi deploy` run as `node SCRIPT deploy ...`: the bundle, or with `checkout` that checkout's bin/byoi.mjs (tsx). */
const byoi = (type: 'raw' | 'qcow2', name = 'byoi', checkout?: string): Method => ({
  name,
  shown: `node ${checkout === undefined ? 'byoi-deploy.mjs' : 'bin/byoi.mjs'} deploy --image URL --type ${type} --disk disk --checksum SHA256 --checksum-type sha256 --yes --json`,
  run: (image, url) =>
    measure(process.execPath, [
      checkout === undefined ? bundlePath : join(checkout, 'bin', 'byoi.mjs'),
      'deploy',
      '--image',
      url,
      '--type',
      type,
      '--disk',
      disk,
      '--checksum',
      image.sha256,
      '--checksum-type',
      'sha256',
      '--yes',
      '--json',
    ]),
  check: (_image, measurement) => {
    const result = JSON.parse(measurement.stdout.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean; message?: string; seconds?: number };
    if (result.ok !== true) throw new Error(`byoi deploy failed: ${result.message ?? measurement.stdout.slice(-500)}`);
    return result.seconds;
  },
});

const bash = (script: string, ...args: string[]): Promise<Measurement> => measure('bash', ['-c', script, 'bench', ...args]);

const rawMethods: Method[] = [
  byoi('raw'),
  byoi('raw', 'byoi (tsx CLI)', root),
  {
    name: 'limit',
    shown: 'curl -s URL -o disk && sync disk',
    run: (_image, url) => bash('curl -sf "$1" -o "$2" && sync "$2"', url, disk),
  },
  {
    name: 'pipelined shell',
    shown: 'curl -s URL | tee >(openssl dgst -sha256) > disk && sync disk',
    // Timed until the digest is out too: bash does not wait for a process substitution.
    run: (_image, url) =>
      bash('curl -sf "$1" | tee >(openssl dgst -sha256 > "$3") > "$2" && sync "$2" && until [ -s "$3" ]; do sleep 0.01; done', url, disk, hashFile),
    check: (image) => {
      if (!readFileSync(hashFile, 'utf8').includes(image.sha256)) throw new Error('the pipelined shell printed a wrong digest');
      return undefined;
    },
  },
  {
    name: 'staged (OVH)',
    shown: 'curl -s URL -o /dev/shm/img && openssl dgst -sha256 /dev/shm/img && dd if=/dev/shm/img of=disk bs=4M && sync disk',
    run: (_image, url) =>
      bash('curl -sf "$1" -o "$3" && openssl dgst -sha256 "$3" > "$4" && dd if="$3" of="$2" bs=4M status=none && sync "$2"', url, disk, shmFile, hashFile),
    check: (image) => {
      if (!readFileSync(hashFile, 'utf8').includes(image.sha256)) throw new Error('the staged baseline printed a wrong digest');
      return undefined;
    },
  },
];

const qcow2Methods: Method[] = [
  byoi('qcow2'),
  {
    name: 'curl + qemu-img',
    shown: 'curl -s URL -o /dev/shm/tmp && qemu-img convert -O raw /dev/shm/tmp disk && sync disk',
    run: (_image, url) => bash('curl -sf "$1" -o "$3" && qemu-img convert -O raw "$3" "$2" && sync "$2"', url, disk, shmFile),
  },
];

/** A fresh, sparse disk file the size of the guest plus room, nothing left in flight from the previous run. */
function prepareDisk(guestBytes: number): void {
  rmSync(disk, { force: true });
  rmSync(shmFile, { force: true });
  rmSync(hashFile, { force: true });
  execFileSync('sync');
  execFileSync('truncate', ['-s', String(guestBytes + DISK_SLACK), disk]);
}

/** Reads the image once so every method gets it from the page cache. */
function warm(image: BenchImage): void {
  execFileSync('cat', [image.path], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 0 });
}

async function benchImage(server: BenchServer, image: BenchImage, methods: Method[]): Promise<Row[]> {
  const rows = methods.map((method): Row => ({ image, method, measurements: [], deploySeconds: [] }));
  const url = server.url(image.path.slice(cacheDir.length + 1));
  warm(image);
  for (let round = 0; round < runs; round += 1) {
    for (let i = 0; i < rows.length; i += 1) {
      const row = rows[(i + round) % rows.length] as Row;
      prepareDisk(image.guestBytes);
      await waitForQuiet(maxLoad, waitTries, waitSeconds);
      const measurement = await row.method.run(image, url);
      const deploySeconds = row.method.check?.(image, measurement);
      if (deploySeconds !== undefined) row.deploySeconds.push(deploySeconds);
      row.measurements.push(measurement);
      process.stdout.write(
        `${image.name} ${row.method.name} #${round + 1}: ${measurement.seconds.toFixed(2)} s, ${(image.guestBytes / MiB / measurement.seconds).toFixed(0)} MiB/s, ` +
          `peak RSS ${measurement.maxRssMiB ?? '?'} MiB, CPU ${measurement.cpuSeconds ?? '?'} s (load ${measurement.load})\n`,
      );
    }
  }
  rmSync(shmFile, { force: true });
  return rows;
}

function medianSeconds(row: Row | undefined): number {
  return row === undefined ? Number.NaN : median(row.measurements.map((m) => m.seconds));
}

function facts(): string[] {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const shaNi = readFileSync('/proc/cpuinfo', 'utf8').includes(' sha_ni') ? 'with SHA extensions' : 'without SHA extensions';
  const tool = (command: string, args: string[]): string => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? '?';
    } catch {
      return '?';
    }
  };
  const mount = tool('findmnt', ['-no', 'SOURCE,FSTYPE', '-T', cacheDir]);
  const device = mount.split(' ')[0] ?? '';
  const rotational = existsSync(`/sys/class/block/${device.replace('/dev/', '')}/queue/rotational`)
    ? readFileSync(`/sys/class/block/${device.replace('/dev/', '')}/queue/rotational`, 'utf8').trim() === '1' ? 'rotational' : 'non-rotational'
    : 'unknown kind';
  return [
    `Machine: ${cpus().length} × ${model} (${shaNi}), ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}.`,
    `Disk: ${mount} (${rotational}, a virtual disk), holding both the served images and the target file.`,
    `Tools: ${tool('curl', ['--version'])}; ${tool('openssl', ['version'])}; ${tool('qemu-img', ['--version'])}; ${tool('busybox', [])}.`,
  ];
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function section(rows: Row[], loadBefore: string, loadAfter: string): string[] {
  const out: string[] = [
    '## Deploy engine',
    '',
    `Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- deploy --size ${flags.size} --runs ${runs}\` (bench/deploy.ts).`,
    ...facts(),
    `Load average (1, 5, 15 min) when the benchmark started: ${loadBefore}; when it ended: ${loadAfter}. ` +
      (waitTries > 0
        ? `Each run waited for a 1-minute load of at most ${maxLoad} (${waitTries} × ${waitSeconds} s at most) and records the load it started with.`
        : 'No run waited for a quieter machine (--wait-tries 0); each records the load it started with.'),
    'Other work on this shared machine (test suites, VMs) competes for the two cores and lowers the figures of every method.',
    '',
    'Setup: the images are served by busybox httpd (sendfile, Range, ETag) in its own process on 127.0.0.1, from the',
    'page cache; each method writes a fresh file on the same disk (`sync` before each run, so no writeback is left',
    'over from the one before). The raw image is a GPT disk whose partition holds ext4 filled to half with files of',
    '/usr (the rest free space); the qcow2 images are `qemu-img convert` of it (plain, `-c` deflate, `-c -o',
    'compression_type=zstd`). "byoi" runs `byoi deploy` bundled into one file by esbuild (bench/deploy-bundle.ts, the',
    'options of the rescue agent\'s bundle: what a server runs); "byoi (tsx CLI)" runs `node bin/byoi.mjs deploy` from',
    'the checkout, whose start-up loads every command\'s TypeScript through tsx. Both check the image\'s sha256, wipe,',
    'write, verify, move the backup GPT, add the config drive and fsync. Times are wall-clock seconds of the whole',
    'command, start-up included; MiB/s is the guest disk size over the time; peak RSS and CPU (user + system, all',
    'processes of the command) come from GNU time.',
    '',
    '| Image | Method | Runs (s) | Median (s) | MiB/s | byoi\'s own seconds (median) | Peak RSS (MiB) | CPU (s, median) | Load at each run |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const seconds = row.measurements.map((m) => m.seconds);
    const rss = row.measurements.map((m) => m.maxRssMiB ?? Number.NaN);
    const cpu = row.measurements.map((m) => m.cpuSeconds ?? Number.NaN);
    const imageLabel = `${row.image.name} (${fmt(row.image.fileBytes / MiB, 0)} MiB file, ${fmt(row.image.guestBytes / MiB, 0)} MiB guest)`;
    out.push(
      `| ${imageLabel} | ${row.method.name} | ${seconds.map((s) => fmt(s)).join(', ')} | ${fmt(median(seconds))} | ` +
        `${fmt(row.image.guestBytes / MiB / median(seconds), 0)} | ${row.deploySeconds.length > 0 ? fmt(median(row.deploySeconds)) : ''} | ${fmt(Math.max(...rss), 0)} | ${fmt(median(cpu))} | ${row.measurements.map((m) => m.load.split(' ')[0]).join(', ')} |`,
    );
  }
  out.push('', 'Methods:', '');
  const shown = new Map<string, string>();
  for (const row of rows) shown.set(row.method.shown, row.method.name);
  for (const [command, name] of shown) out.push(`- ${name}: \`${command}\``);

  const targets: string[][] = [];
  const find = (image: string, method: string): Row | undefined => rows.find((r) => r.image.name === image && r.method.name === method);
  const ratio = (image: string, method: string, target: number, label: string): void => {
    const mine = medianSeconds(find(image, 'byoi'));
    const theirs = medianSeconds(find(image, method));
    if (Number.isNaN(mine) || Number.isNaN(theirs)) return;
    const value = theirs / mine;
    targets.push([label, `${fmt(value)}×`, value >= target ? 'yes' : 'no']);
  };
  ratio('raw', 'limit', 0.85, 'raw: byoi throughput ≥ 0.85 × the limit (curl -o disk && sync)');
  ratio('raw', 'pipelined shell', 1.0, 'raw: byoi faster than the pipelined shell (ratio > 1)');
  ratio('raw', 'staged (OVH)', 1.5, 'raw: byoi ≥ 1.5 × faster than the staged OVH way');
  for (const name of ['plain', 'deflate', 'zstd']) ratio(name, 'curl + qemu-img', 1.3, `qcow2 ${name}: byoi ≥ 1.3 × faster than curl + qemu-img convert`);
  const byoiRss = rows.filter((r) => r.method.name.startsWith('byoi')).flatMap((r) => r.measurements.map((m) => m.maxRssMiB ?? Number.NaN));
  if (byoiRss.length > 0 && gnuTime !== null) {
    const peak = Math.max(...byoiRss);
    targets.push(['byoi peak RSS < 300 MiB, any image size (every byoi run above, the 16 GiB-virtual qcow2 included)', `${fmt(peak, 0)} MiB`, peak < 300 ? 'yes' : 'no']);
  } else if (gnuTime === null) {
    targets.push(['byoi peak RSS < 300 MiB', 'not measured: GNU time missing (apt-get install time)', '-']);
  }
  out.push('', 'Ratios are baseline median time / byoi median time (= byoi throughput / baseline throughput).', '', '| Target | Figure | Met |', '|---|---|---|');
  for (const [label, value, met] of targets) out.push(`| ${label} | ${value} | ${met} |`);
  out.push('');
  return out;
}

function writeSection(lines: string[]): void {
  const path = join(root, 'docs', 'BENCHMARKS.md');
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const heading = '## Deploy engine\n';
  const start = existing.indexOf(heading);
  let next = start < 0 ? -1 : existing.indexOf('\n## ', start + heading.length);
  if (next >= 0) next += 1;
  const text = lines.join('\n');
  const updated = start < 0 ? `${existing.trimEnd()}\n\n${text}` : `${existing.slice(0, start)}${text}${next < 0 ? '' : `\n${existing.slice(next)}`}`;
  writeFileSync(path, `${updated.trimEnd()}\n`);
  process.stdout.write(`wrote ${path}\n`);
}

mkdirSync(workDir, { recursive: true });
if (gnuTime === null) process.stdout.write('GNU time is missing (apt-get install time): peak RSS and CPU are not measured\n');
const loadBefore = loadNow();
const images = benchImages(cacheDir, sizeBytes, only);
bundlePath = await bundleDeploy(root, cacheDir);
const server = await startBenchServer(cacheDir);
const rows: Row[] = [];
try {
  for (const image of images) {
    if (!only.includes(image.name)) continue;
    const methods = [...(image.type === 'raw' ? rawMethods : qcow2Methods)];
    if (flags.before !== undefined) methods.splice(1, 0, byoi(image.type, 'byoi (before)', flags.before));
    rows.push(...(await benchImage(server, image, methods)));
  }
  if (only.includes('rss')) {
    rows.push(...(await benchImage(server, sparse16Image(cacheDir), [byoi('qcow2')])));
  }
} finally {
  await server.close();
  rmSync(disk, { force: true });
  rmSync(shmFile, { force: true });
}
const lines = section(rows, loadBefore, loadNow());
process.stdout.write(`${lines.join('\n')}\n`);
if (!flags['no-write']) writeSection(lines);
