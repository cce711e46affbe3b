// The deploy engine's stages one at a time, in this process, to find where the time goes (not run by
// `npm run bench -- deploy`; the figures it prints are for profiling, the benchmark is end to end):
//
//   node --import tsx bench/deploy-stages.ts URL [DISK]      STAGES=body,download,write by default
//                                                            HASH=inline hashes on this thread, whatever the size
//
//   body      the HTTP source's body alone (undici, the stall guard), nothing done with the chunks
//   download  downloadImage(): the body, hashed (sha256), with resume bookkeeping
//   write     downloadImage() through the raw decoder and the ImageWriter into DISK (a file), then fsync
import { open } from 'node:fs/promises';
import { openDisk } from '../src/deploy/disk/open-disk.ts';
import { createRawDecoder } from '../src/deploy/decode/raw-decoder.ts';
import { createImageWriter } from '../src/deploy/sink/image-writer.ts';
import { downloadImage } from '../src/deploy/source/download-image.ts';
import { createHttpSource } from '../src/deploy/source/http-source.ts';

const MiB = 1024 * 1024;
const [url, diskPath] = process.argv.slice(2);
if (url === undefined) {
  process.stderr.write('usage: node --import tsx bench/deploy-stages.ts URL [DISK]\n');
  process.exit(2);
}

function report(stage: string, bytes: number, startedAt: number, cpuBefore: NodeJS.CpuUsage): void {
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(`${stage.padEnd(9)} ${(bytes / MiB).toFixed(0)} MiB in ${seconds.toFixed(2)} s: ${(bytes / MiB / seconds).toFixed(0)} MiB/s, ` +
    `process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, system ${(cpu.system / 1e6).toFixed(2)})\n`);
}

const stages = (process.env.STAGES ?? 'body,download,write').split(',');
const source = createHttpSource({ url });
const facts = await source.probe();

if (stages.includes('body')) {
  const startedAt = performance.now();
  const cpu = process.cpuUsage();
  const stream = await source.openStream(0, { ifRange: null });
  let bytes = 0;
  for await (const chunk of stream.body) bytes += chunk.length;
  report('body', bytes, startedAt, cpu);
}

if (stages.includes('download')) {
  const startedAt = performance.now();
  const cpu = process.cpuUsage();
  const download = downloadImage(source, { facts, ...(process.env.HASH === 'inline' ? { workerHashMinBytes: Number.MAX_SAFE_INTEGER } : {}) });
  let bytes = 0;
  for await (const chunk of download) bytes += chunk.length;
  report('download', bytes, startedAt, cpu);
}

if (diskPath !== undefined && stages.includes('write')) {
  // A fresh file the size of the image plus room (the raw decoder refuses bytes past the disk's end).
  const file = await open(diskPath, 'w');
  await file.truncate((facts.size ?? 0) + 256 * MiB);
  await file.close();
  const disk = await openDisk(diskPath);
  const readsZero = await disk.discardAll();
  const startedAt = performance.now();
  const cpu = process.cpuUsage();
  const writer = createImageWriter(disk, { diskReadsZero: readsZero });
  const decoder = createRawDecoder(writer, { diskSize: disk.size, diskName: disk.name });
  const download = downloadImage(source, { facts, ...(process.env.HASH === 'inline' ? { workerHashMinBytes: Number.MAX_SAFE_INTEGER } : {}) });
  let bytes = 0;
  for await (const chunk of download) {
    await decoder.push(chunk);
    bytes += chunk.length;
  }
  await decoder.end();
  report('write', bytes, startedAt, cpu);
  await disk.sync();
  report('+fsync', bytes, startedAt, cpu);
  await disk.close();
}
await source.close?.();
