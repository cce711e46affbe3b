// `byoi agent` as the rescue system runs it: a real process with a one-time token, against a control plane on
// loopback, writing a file-backed disk; exit status 0 or 1, nothing secret on its output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import { registerServer } from '../../../src/control/fleet/server-admin.ts';
import { parseServerSpec } from '../../../src/control/fleet/server-spec.ts';
import { issueInstallerToken } from '../../../src/control/agent/issue-installer-token.ts';
import { ensureSampleImage, type SampleImage } from '../../../src/control/demo/sample-image.ts';
import { needTools } from '../../helpers/tools.ts';
import { assertNoPartitionTable } from '../deploy/_fixtures.ts';
import { startAgentControl, type AgentControl } from './helpers/agent-control.ts';
import { readDeployedDisk } from './helpers/deployed-disk.ts';
import { reinstall, waitFor } from './helpers/install-helpers.ts';

const repo = new URL('../../../', import.meta.url).pathname;

function byoi(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/byoi.mjs', ...args], { cwd: repo, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

for (const leg of databaseLegs()) {
  describe(`byoi agent, the installer process (${leg.name})`, { skip: leg.skip }, () => {
    let control: AgentControl;
    let sample: SampleImage;
    let disk: string;
    const marker = 'Bearer CliHeaderMarker0123456789';

    before(async () => {
      control = await startAgentControl(leg);
      sample = ensureSampleImage(join(control.dir, 'images'));
      disk = join(control.dir, 'manual-disk.img');
      const fd = openSync(disk, 'w');
      ftruncateSync(fd, 2 * 1024 ** 3);
      closeSync(fd);
      await registerServer(
        control.store,
        parseServerSpec({
          serviceName: 'rescue1.byoi.demo',
          account: 'demo',
          mac: '02:b0:01:00:30:01',
          bootMode: 'uefi',
          powerDriver: { name: 'none', config: {} },
          diskGroups: [{ diskType: 'SSD', disks: [{ sizeBytes: 2 * 1024 ** 3, path: disk }] }],
        }),
        control.extensions.powerDrivers,
      );
    });
    after(async () => control?.close());

    async function tokenFor(customizations: Record<string, unknown>): Promise<{ taskId: number; token: string }> {
      const taskId = await reinstall(control, 'rescue1.byoi.demo', { imageURL: `${control.origin}/demo/images/sample-gpt.raw`, httpHeaders: { Authorization: marker }, ...customizations });
      // Claimed (todo) comes a moment before the runner marks reboot-installer as running: wait for both.
      await waitFor('the claim', async () => {
        const task = await control.app.tasks.get(taskId);
        return task?.status === 'todo' && task.steps.find((step) => step.id === 'reboot-installer')?.status === 'doing' ? true : undefined;
      });
      return { taskId, token: (await issueInstallerToken(control.app.tasks, taskId)) as string };
    }

    test('deploys the job, reports it and exits 0; its output holds no token and no header value', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      const { taskId, token } = await tokenFor({ imageCheckSum: sample.sha256, imageCheckSumType: 'sha256', hostname: 'from-cli' });
      const ran = await byoi(['agent', '--control', control.origin], { BYOI_AGENT_TOKEN: token });
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(ran.stderr, /byoi-agent: job received/);
      assert.match(ran.stderr, /byoi-agent: deployed; the control plane has the result/);
      assert.ok(!ran.stderr.includes(token) && !ran.stdout.includes(token), 'the token is not printed');
      assert.ok(!ran.stderr.includes('CliHeaderMarker'), 'the header value is not printed');
      assert.equal((await control.waitForTask('rescue1.byoi.demo', taskId)).status, 'done');
      assert.equal((await readDeployedDisk(disk)).metaData.hostname, 'from-cli');
    });

    test('a failed deploy exits 1 with the catalogue message, read from a kernel command line', async (t) => {
      if (!needTools(t, 'sgdisk', 'sfdisk', 'blkid')) return;
      const { taskId, token } = await tokenFor({ imageCheckSum: '00'.repeat(32), imageCheckSumType: 'sha256' });
      const cmdline = join(control.dir, 'cmdline');
      writeFileSync(cmdline, `BOOT_IMAGE=vmlinuz initrd=initrd.img byoi.control=${control.origin} byoi.token=${token} console=ttyS0\n`);
      const ran = await byoi(['agent', '--cmdline', cmdline]);
      assert.equal(ran.code, 1);
      assert.match(ran.stderr, new RegExp(`byoi: Bad checkSumType for downloaded file, got: ${sample.sha256} while expecting ${'00'.repeat(32)}\\.`));
      assert.equal((await control.waitForTask('rescue1.byoi.demo', taskId)).status, 'customerError');
      assertNoPartitionTable(disk);
      // The token is spent: a second run is refused.
      const again = await byoi(['agent', '--control', control.origin, '--token', token]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /cannot fetch the job: GET \/agent\/v1\/job: 410/);
    });

    test('without a token it says what is missing', async () => {
      const ran = await byoi(['agent', '--control', control.origin], { BYOI_AGENT_TOKEN: '' });
      assert.equal(ran.code, 1);
      assert.match(ran.stderr, /the agent token is missing/);
    });
  });
}
