// Measures createQcow2Decoder() alone against `qemu-img convert -O raw` (a measurement, not a test; the runner
// only picks *.test.ts). Usage:
//   node --import tsx test/unit/deploy/decode/qcow2/_measure-decoder.ts IMAGE.qcow2 [WORK_DIR] [RUNS]
// The image is read from a file in 1 MiB chunks and decoded onto a sparse file through createImageWriter()
// (diskReadsZero: true), then synced; qemu-img converts the same image to a raw file, then it is synced too.
// Both outputs are compared. Wall time and CPU time (all threads) are printed for each run: on a shared machine
// CPU time is the steadier figure. Run each side a few times: the first run warms the page cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createQcow2Decoder } from '../../../../../src/deploy/decode/qcow2/create-qcow2-decoder.ts';
import { openDisk } from '../../../../../src/deploy/disk/open-disk.ts';
import { createImageWriter } from '../../../../../src/deploy/sink/image-writer.ts';

const [imagePath, workDir = '/tmp', runsText = '3'] = process.argv.slice(2);
if (imagePath === undefined) throw new Error('usage: _measure-decoder.ts IMAGE.qcow2 [WORK_DIR] [RUNS]');
const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', imagePath], { encoding: 'utf8' })) as { 'virtual-size': number };
const virtualSize = info['virtual-size'];
const fileSize = statSync(imagePath).size;
const byoiOut = join(workDir, 'byoi-out.raw');
const qemuOut = join(workDir, 'qemu-out.raw');

interface Timing {
  seconds: number;
  cpuSeconds: number;
}

async function byoiOnce(): Promise<Timing> {
  rmSync(byoiOut, { force: true });
  const fd = openSync(byoiOut, 'w');
  ftruncateSync(fd, virtualSize);
  closeSync(fd);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const disk = await openDisk(byoiOut);
  const writer = createImageWriter(disk, { diskReadsZero: true });
  const decoder = createQcow2Decoder(writer, { fileSize, refetch: null });
  const input = await open(imagePath as string, 'r');
  const chunkBytes = 1024 * 1024;
  for (let at = 0; at < fileSize; at += chunkBytes) {
    // A fresh buffer per chunk, as a network source gives.
    const chunk = new Uint8Array(Math.min(chunkBytes, fileSize - at));
    const { bytesRead } = await input.read(chunk, 0, chunk.length, at);
    await decoder.push(chunk.subarray(0, bytesRead));
  }
  await decoder.end();
  await disk.sync();
  await disk.close();
  await input.close();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `byoi: ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s), ${(virtualSize / seconds / 1024 / 1024).toFixed(0)} MiB/s of guest, ` +
      `stats ${JSON.stringify(decoder.stats)}`,
  );
  return { seconds, cpuSeconds };
}

function qemuOnce(): Timing {
  rmSync(qemuOut, { force: true });
  const started = performance.now();
  // GNU time prints the child's user and system CPU seconds on stderr.
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', 'qemu-img', 'convert', '-O', 'raw', imagePath as string, qemuOut], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`qemu-img convert failed: ${result.stderr}`);
  execFileSync('sync', [qemuOut]);
  const seconds = (performance.now() - started) / 1000;
  const [user = '0', system = '0'] = result.stderr.trim().split('\n').pop()?.split(' ') ?? [];
  const cpuSeconds = Number(user) + Number(system);
  console.log(`qemu-img convert -O raw: ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s)`);
  return { seconds, cpuSeconds };
}

const runs = Number(runsText);
const byoi: Timing[] = [];
const qemu: Timing[] = [];
for (let run = 0; run < runs; run++) {
  byoi.push(await byoiOnce());
  qemu.push(qemuOnce());
}
execFileSync('cmp', [byoiOut, qemuOut]);
const best = (values: Timing[], key: keyof Timing): string => Math.min(...values.map((value) => value[key])).toFixed(2);
console.log(
  `best of ${runs}: byoi ${best(byoi, 'seconds')} s (CPU ${best(byoi, 'cpuSeconds')} s), ` +
    `qemu-img ${best(qemu, 'seconds')} s (CPU ${best(qemu, 'cpuSeconds')} s); identical output`,
);
rmSync(byoiOut, { force: true });
rmSync(qemuOut, { force: true });
