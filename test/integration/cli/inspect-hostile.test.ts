import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InspectResult } from '../../../src/image/inspect-result.ts';
import { needTools, run, tempDir } from '../../helpers/tools.ts';
import { nodeNumber, sfdiskJson } from '../../unit/image/partition-table/_fixtures.ts';
import { bytesOf, INSPECT_TOOLS, makeMbrLogicalDisk, patch } from '../../unit/image/inspect/_fixtures.ts';
import { mapConcurrently, parseJson, runInspect, type CliRun } from './_inspect-cli.ts';

// Hostile files through `byoi inspect` as a process: every one ends in seconds with a report (or one clear
// sentence) that names what is wrong; never a stack trace, never a hang.

function u64be(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, false);
  return bytes;
}

function assertNoStackTrace(name: string, result: CliRun): void {
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .+[:(]\d+/, `${name}: stack trace\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /internal error/, `${name}: internal error\n${result.stderr}`);
}

test('byoi inspect names what is wrong with truncated, looping, absurd and garbage images, without a stack trace', { timeout: 300_000 }, async (t) => {
  if (!needTools(t, ...INSPECT_TOOLS)) return;
  const dir = tempDir(t);

  const truncated = join(dir, 'truncated.qcow2');
  const source = makeMbrLogicalDisk(dir);
  run('qemu-img', ['convert', '-O', 'qcow2', source, truncated]);
  truncateSync(truncated, Math.floor(bytesOf(truncated).length / 4));

  const absurd = join(dir, 'absurd-size.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', absurd, '16M']);
  patch(absurd, 24, u64be(1n << 62n));

  const l1PastEnd = join(dir, 'l1-past-end.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', l1PastEnd, '16M']);
  patch(l1PastEnd, 40, u64be(1n << 40n));

  const clusterBits = join(dir, 'cluster-bits.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', clusterBits, '16M']);
  patch(clusterBits, 20, Uint8Array.of(0, 0, 0, 63));

  const loop = join(dir, 'ebr-loop.raw');
  run('cp', ['--sparse=always', source, loop]);
  const logical = sfdiskJson(loop).partitions.find((p) => nodeNumber(p.node) === 5);
  assert.ok(logical !== undefined);
  const link = new Uint8Array(16);
  link[4] = 0x05;
  new DataView(link.buffer).setUint32(12, 2048, true); // start 0: the EBR links to itself
  patch(loop, (logical.start - 2048) * 512 + 446 + 16, link);

  const garbage = join(dir, 'garbage.img');
  writeFileSync(garbage, Uint8Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24));
  const empty = join(dir, 'empty.img');
  writeFileSync(empty, new Uint8Array(0));
  const vmdkHeader = join(dir, 'vmdk-header-only.vmdk');
  writeFileSync(vmdkHeader, Uint8Array.of(0x4b, 0x44, 0x4d, 0x56, 1, 0, 0, 0));

  const cases: { name: string; path: string; expect: RegExp }[] = [
    { name: 'truncated qcow2', path: truncated, expect: /the image ends at byte \d+, before byte \d+|Cannot read qcow2/ },
    { name: 'qcow2 of 4 EiB', path: absurd, expect: /Cannot read qcow2 header: size 0x4000000000000000 is too large/ },
    { name: 'qcow2 L1 table past the end', path: l1PastEnd, expect: /Cannot read .*L1/i },
    { name: 'qcow2 with 63 cluster bits', path: clusterBits, expect: /qcow2 clusters of 2\^63 bytes/ },
    { name: 'EBR chain that loops', path: loop, expect: /Cannot read .*EBR|loop/i },
    { name: '3 MiB of garbage', path: garbage, expect: /It seems to contain: unrecognised data/ },
    { name: 'empty file', path: empty, expect: /It seems to contain: nothing \(the image is empty\)/ },
    { name: 'vmdk magic and nothing else', path: vmdkHeader, expect: /Cannot read vmdk|the image ends at byte 8/ },
  ];
  const results = await mapConcurrently(cases, 3, async (item) => {
    const started = Date.now();
    const result = await runInspect(['--json', item.path]);
    return { result, seconds: (Date.now() - started) / 1000 };
  });
  cases.forEach((item, index) => {
    const outcome = results[index];
    assert.ok(outcome !== undefined);
    const { result, seconds } = outcome;
    assertNoStackTrace(item.name, result);
    assert.ok(seconds < 60, `${item.name}: ${seconds} s`);
    const inspection = parseJson<InspectResult>(result);
    assert.equal(result.status, inspection.problems.some((p) => p.severity === 'error') ? 1 : 0, item.name);
    assert.match(inspection.problems.map((p) => p.message).join('\n'), item.expect, `${item.name}: ${JSON.stringify(inspection.problems)}`);
  });

  const human = await runInspect([truncated]);
  assertNoStackTrace('human report', human);
  assert.equal(human.status, 1);
  assert.match(human.stdout, /^Problems +\d+ errors?/m);
  const directory = await runInspect([dir]);
  assertNoStackTrace('a directory', directory);
  assert.equal(directory.status, 1);
  assert.match(directory.stderr, /cannot read the image: .* is not a regular file/);
});
