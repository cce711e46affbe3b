// Shared checks of deploy events and results.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { deployPhases, type DeployEvent, type DeployResult } from '../../../src/contract/deploy-events.ts';
import { assertTableValid, probeFilesystem, readConfigDriveFile, type RawFixture } from './_fixtures.ts';

/** A marker that must never appear in any output (header value). */
export const headerMarker = 'Bearer SECRET-HEADER-MARKER-7f3a9c';
/** User data holding a marker: gzip of a cloud-config, so "byte for byte" covers binary bytes too. */
export const userDataText = '#cloud-config\n# SECRET-USERDATA-MARKER-b41d\nhostname: from-user-data\n';
export const userDataBytes = gzipSync(Buffer.from(userDataText), { level: 9 });
export const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEJSfOWGjfUr6hCNM2FYLILjm6ccUzMer+S+FiieUR+M test@byoi';

/** Checks the documented order: deploy.start, each phase start..end in order, then deploy.end or deploy.error. */
export function assertEventOrder(events: readonly DeployEvent[], outcome: 'end' | 'error'): void {
  assert.equal(events[0]?.type, 'deploy.start', 'deploy.start comes first');
  const last = events.at(-1);
  assert.equal(last?.type, outcome === 'end' ? 'deploy.end' : 'deploy.error');
  assert.equal(events.filter((e) => e.type === 'deploy.end' || e.type === 'deploy.error').length, 1, 'exactly one end or error');
  let open: string | null = null;
  let next = 0;
  for (const event of events) {
    if (event.type === 'phase.start') {
      assert.equal(open, null, `phase ${event.phase} starts inside ${open}`);
      assert.equal(event.phase, deployPhases[next], 'phases run in order');
      open = event.phase;
      next += 1;
    } else if (event.type === 'phase.end') {
      assert.equal(event.phase, open);
      open = null;
    } else if (event.type === 'write.progress') {
      assert.equal(open, 'write', 'progress only in the write phase');
    }
  }
  if (outcome === 'end') assert.equal(next, deployPhases.length, 'every phase ran');
}

/** The oracles of a successful deploy: table valid, config-2 found by blkid, files read back by mtype. */
export function assertDeployedDisk(
  diskPath: string,
  fixture: RawFixture,
  result: DeployResult,
  expected: { hostname: string | null; userData: Uint8Array | null; meta: Record<string, string> },
): void {
  assertTableValid(diskPath, fixture.table);
  const drive = result.configDrive;
  assert.ok(drive !== null);
  const tags = probeFilesystem(diskPath, drive.start, drive.size);
  assert.equal(tags.LABEL, 'config-2');
  assert.equal(tags.TYPE, 'vfat');
  const meta = JSON.parse(readConfigDriveFile(diskPath, drive.start, 'openstack/latest/meta_data.json').toString('utf8')) as Record<string, unknown>;
  assert.equal(meta.hostname, expected.hostname ?? undefined);
  assert.deepEqual(meta.meta, expected.meta);
  if (expected.userData !== null) {
    const userData = readConfigDriveFile(diskPath, drive.start, 'openstack/latest/user_data');
    assert.ok(userData.equals(Buffer.from(expected.userData)), 'user_data is byte-identical');
  }
}
