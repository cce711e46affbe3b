// The real bare-metal journey in QEMU: servers with an empty disk, OVMF or SeaBIOS, iPXE; the reinstall asked
// through OVH's own Node client; the server PXE-boots the byoi rescue system, the agent deploys the image from an
// image server behind Basic auth, the server reboots into its disk (UEFI through efiBootloaderPath, legacy through
// sanboot), Debian boots, cloud-init reads config-2 and phones home. Then SSH into the guest to check what the user
// asked for. And one failure: a wrong checksum leaves a server that boots nothing, not a half-written OS.
//
// Two VMs at most at once (TCG on a small machine): lab1 (UEFI) deploys the raw image while lab2 (legacy)
// deploys the compressed qcow2 and then runs the failure journey. Phase times go to test-output/lab/.
import assert from 'node:assert/strict';
import https from 'node:https';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { catalogue } from '../../../src/contract/errors/catalogue.ts';
import { installSteps } from '../../../src/contract/task/install-steps.ts';
import { needTools, run, runStatus } from '../../helpers/tools.ts';
import { startImageFileServer, type ImageFileServer } from './helpers/image-file-server.ts';
import {
  byoi,
  ensureDebianImages,
  labFiles,
  labTools,
  repo,
  serialTail,
  sleep,
  ssh,
  startControlPlane,
  type DebianImages,
  type RunningControlPlane,
} from './helpers/lab-harness.ts';

const require = createRequire(import.meta.url);
type OvhClient = { requestPromised(method: string, path: string, params?: Record<string, unknown>): Promise<unknown> };
const ovh = require('ovh') as (params: Record<string, unknown>) => OvhClient;

const basicAuth = 'Basic bG9naW46cGFzc3dvcmQ=';
/** The image server as the guests see it (a guestfwd to the host's loopback port). */
const imageHost = '10.0.2.101';
const minute = 60_000;
/** One journey, bounded: PXE and rescue boot, a 2 GiB raw deploy and a Debian first boot under TCG. */
const journeyTimeoutMs = 22 * minute;

interface LabServerStatus {
  serviceName: string;
  mac: string;
  firmware: 'uefi' | 'bios';
  qmpSocket: string;
  sshPort: number;
  serialLog: string;
  disk: string;
  runState: string | null;
}

interface InstallStatus {
  progress: Array<{ comment: string; status: string; error: string | null }>;
  byoi?: { status: string };
}

interface Task {
  taskId: number;
  status: string;
  comment: string;
}

/** When each step was first seen done, in seconds from the reinstall call. */
type StepTimes = Partial<Record<(typeof installSteps)[number]['id'], number>>;

describe('the QEMU lab: PXE, rescue, deploy, reboot, the user OS boots with its config drive', { skip: process.platform !== 'linux' && 'the lab needs Linux' }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'byoi-lab-'));
  const outputDir = join(repo, 'test-output', 'lab');
  const key = join(dataDir, 'id_ed25519');
  let images: DebianImages;
  let control: RunningControlPlane | undefined;
  let imageServer: ImageFileServer | undefined;
  let client: OvhClient;
  let servers: LabServerStatus[] = [];
  let setupError: Error | undefined;
  let previousCa: unknown;
  const timings: Record<string, unknown> = {};

  /** Every journey starts here: tools present (a skip, or a failure under CI=true), then the shared set-up. */
  async function ready(t: TestContext): Promise<boolean> {
    if (!needTools(t, ...labTools)) return false;
    const missing = labFiles.filter((file) => !existsSync(file));
    if (missing.length > 0) {
      if (process.env.CI === 'true') throw new Error(`CI must install the lab's firmware and loaders: missing ${missing.join(', ')}`);
      t.skip(`missing ${missing.join(', ')} (Debian packages ovmf, ipxe-qemu, grub-efi-amd64-bin)`);
      return false;
    }
    if (process.getuid?.() !== 0) {
      if (process.env.CI === 'true') throw new Error('the lab journeys need root (loop devices for the image builder)');
      t.skip('needs root: the Debian image builder uses loop devices');
      return false;
    }
    await setup;
    if (setupError !== undefined) throw setupError;
    return true;
  }

  let setup: Promise<void>;
  before(() => {
    // Started once, awaited by each journey (so a missing tool is reported by the journeys, not by a hook).
    setup = (async () => {
      if (!labTools.every((tool) => runStatus('sh', ['-c', `command -v ${tool}`]).status === 0) || process.getuid?.() !== 0) return;
      if (!labFiles.every((file) => existsSync(file))) return;
      const started = Date.now();
      mkdirSync(outputDir, { recursive: true });
      images = await ensureDebianImages(() => undefined);
      timings.imagesSeconds = seconds(started);

      const rescueStarted = Date.now();
      const rescue = JSON.parse(
        await byoi(['rescue', 'build', '--data-dir', dataDir, '--cache-dir', join(repo, '.cache', 'rescue'), '--kernel-package', 'linux-image-amd64', '--json'], { timeoutMs: 20 * minute }),
      ) as { vmlinuz: { sizeBytes: number }; initrd: { sizeBytes: number; uncompressedBytes: number } };
      timings.rescueBuildSeconds = seconds(rescueStarted);
      timings.rescue = { vmlinuzBytes: rescue.vmlinuz.sizeBytes, initrdBytes: rescue.initrd.sizeBytes, initrdUnpackedBytes: rescue.initrd.uncompressedBytes };

      // The guests reach the boot service as http://10.0.2.100 (guestfwd); the task waits for the first boot.
      control = await startControlPlane(dataDir, { BYOI_BOOT_URL: 'http://10.0.2.100', BYOI_FIRST_BOOT_WAIT_SECONDS: '1200', BYOI_LOG_LEVEL: 'info' });
      imageServer = await startImageFileServer(images.dir, basicAuth);
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'byoi-lab', '-f', key]);

      const up = JSON.parse(
        await byoi(['lab', 'up', '--data-dir', dataDir, '--servers', '2', '--firmware', 'uefi,bios', '--forward', `${imageHost}:80=${imageServer.port}`, '--stopped', '--json'], {
          timeoutMs: 2 * minute,
        }),
      ) as { accelerator: string; acceleratorReason: string };
      timings.accelerator = `${up.accelerator} (${up.acceleratorReason})`;
      const status = JSON.parse(await byoi(['lab', 'status', '--data-dir', dataDir, '--json'])) as { servers: LabServerStatus[] };
      servers = status.servers;
      assert.deepEqual(
        servers.map((s) => [s.serviceName, s.firmware, s.runState]),
        [
          ['lab1.byoi.lab', 'uefi', 'prelaunch'],
          ['lab2.byoi.lab', 'bios', 'prelaunch'],
        ],
      );

      previousCa = https.globalAgent.options.ca;
      https.globalAgent.options.ca = readFileSync(control.ca);
      const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as { applicationKey: string; applicationSecret: string; consumerKey: string };
      client = ovh({ appKey: demo.applicationKey, appSecret: demo.applicationSecret, consumerKey: demo.consumerKey, host: '127.0.0.1', port: Number(new URL(control.origin).port) });
      // The lab servers are the demo account's, with the qemu power driver.
      const server = (await client.requestPromised('GET', '/dedicated/server/lab1.byoi.lab')) as Record<string, unknown>;
      assert.equal(server.name, 'lab1.byoi.lab');
    })().catch((error: unknown) => {
      setupError = error as Error;
    });
  });

  after(async () => {
    https.globalAgent.options.ca = previousCa as string;
    writeTimings();
    try {
      await byoi(['lab', 'down', '--data-dir', dataDir], { timeoutMs: minute });
    } finally {
      await control?.stop();
      await imageServer?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  function writeTimings(): void {
    if (Object.keys(timings).length === 0) return;
    mkdirSync(outputDir, { recursive: true });
    writeFileSync(join(outputDir, 'phase-times.json'), `${JSON.stringify(timings, null, 2)}\n`);
  }

  function serverNamed(name: string): LabServerStatus {
    const found = servers.find((s) => s.serviceName === name);
    assert.ok(found !== undefined, `lab server ${name}`);
    return found;
  }

  /** The seed's payload shape, pointing at the lab's image server. */
  function payload(file: string, type: 'raw' | 'qcow2', checksum: string, journey: string): Record<string, unknown> {
    const publicKey = readFileSync(`${key}.pub`, 'utf8').trim();
    const userData = [
      '#cloud-config',
      'users:',
      '  - default',
      '  - name: byoi-user',
      '    shell: /bin/bash',
      '    sudo: ALL=(ALL) NOPASSWD:ALL',
      `    ssh_authorized_keys: [${JSON.stringify(publicKey)}]`,
      'write_files:',
      '  - path: /var/lib/byoi-marker',
      `    content: "journey ${journey}: written by cloud-init from the byoi config drive\\n"`,
      'final_message: "BYOI-LAB-FINAL the system is up after $UPTIME seconds"',
      '',
    ].join('\n');
    return {
      operatingSystem: 'byoi_64',
      customizations: {
        hostname: `tux-${journey}`,
        imageURL: `http://${imageHost}/${file}`,
        imageType: type,
        sshKey: publicKey,
        efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
        imageCheckSum: checksum,
        imageCheckSumType: 'sha512',
        httpHeaders: { Authorization: basicAuth },
        configDriveUserData: Buffer.from(userData).toString('base64'),
        configDriveMetadata: { role: 'lab', journey },
      },
    };
  }

  /**
   * Polls the task and install/status like a client until the task ends; records when each step was first seen
   * done. On a timeout, says where the task and the server's console were.
   */
  async function followTask(t: TestContext, serverName: string, taskId: number, timeoutMs: number): Promise<{ task: Task; steps: StepTimes; endedSeconds: number }> {
    const started = Date.now();
    const steps: StepTimes = {};
    let task: Task;
    let last = '';
    for (;;) {
      task = (await client.requestPromised('GET', `/dedicated/server/${serverName}/task/${taskId}`)) as Task;
      if (!['init', 'todo', 'doing'].includes(task.status)) break;
      try {
        const status = (await client.requestPromised('GET', `/dedicated/server/${serverName}/install/status`)) as InstallStatus;
        status.progress.forEach((step, index) => {
          const id = installSteps[index]?.id;
          if (id !== undefined && step.status === 'done' && steps[id] === undefined) steps[id] = seconds(started);
        });
        last = status.progress.map((step, index) => `${installSteps[index]?.id}:${step.status}`).join(' ');
      } catch (error) {
        if ((error as { error?: number }).error !== 404) throw error;
      }
      if (Date.now() - started > timeoutMs) {
        const server = serverNamed(serverName);
        assert.fail(`task ${taskId} of ${serverName} still ${task.status} after ${timeoutMs / 1000} s; steps ${last}\nserial console:\n${serialTail(server.serialLog)}`);
      }
      await sleep(2000);
    }
    const endedSeconds = seconds(started);
    t.diagnostic(`${serverName}: task ${taskId} ${task.status} after ${endedSeconds} s; steps done at ${JSON.stringify(steps)}`);
    return { task, steps, endedSeconds };
  }

  /** What the installed system says about itself, over SSH as the user the user data created. */
  async function checkGuest(t: TestContext, server: LabServerStatus, journey: string): Promise<void> {
    const script = [
      'echo "hostname=$(hostname)"',
      'echo "whoami=$(whoami)"',
      'echo "marker=$(cat /var/lib/byoi-marker)"',
      'echo "datasource=$(sudo cat /run/cloud-init/status.json | tr -d "\\n " | grep -o "\\"datasource\\":\\"[^\\"]*\\"")"',
      'echo "meta=$(sudo cat /run/cloud-init/instance-data.json | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)[\\"ds\\"][\\"meta_data\\"][\\"meta\\"], sort_keys=True))")"',
      'echo "sectors=$(sudo blockdev --getsz /dev/vda)"',
      'echo "lastlba=$(sudo dd if=/dev/vda bs=512 skip=$(( $(sudo blockdev --getsz /dev/vda) - 1 )) count=1 status=none | head -c 8)"',
      'echo "sgdisk=$(sudo sgdisk -v /dev/vda | tr "\\n" " ")"',
      'echo "sfdisk=$(sudo sfdisk --json /dev/vda | tr -d "\\n")"',
      'echo "config2=$(sudo blkid -o value -s LABEL $(sudo blkid -L config-2))"',
      'echo "config2dev=$(sudo blkid -L config-2)"',
    ].join('; ');
    // sshd comes up with cloud-init's network stage; the first-boot report comes at its final stage, so it is up.
    let result = await ssh(server.sshPort, key, 'byoi-user', script);
    for (let attempt = 1; result.code === 255 && attempt < 6; attempt++) {
      await sleep(10_000);
      result = await ssh(server.sshPort, key, 'byoi-user', script);
    }
    assert.equal(result.code, 0, `ssh byoi-user@127.0.0.1:${server.sshPort}:\n${result.output}\nserial console:\n${serialTail(server.serialLog)}`);
    const facts = new Map(
      result.stdout
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    t.diagnostic(`${server.serviceName}: ${[...facts].filter(([k]) => k !== 'sfdisk').map(([k, v]) => `${k}=${v}`).join(' | ')}`);
    assert.equal(facts.get('hostname'), `tux-${journey}`, 'the hostname of the request');
    assert.equal(facts.get('whoami'), 'byoi-user', 'the user of the user data');
    assert.equal(facts.get('marker'), `journey ${journey}: written by cloud-init from the byoi config drive`);
    assert.match(facts.get('datasource') ?? '', /DataSourceConfigDrive/, 'cloud-init read the config drive');
    assert.deepEqual(JSON.parse(facts.get('meta') ?? 'null'), { journey, role: 'lab' }, 'the meta keys visible to cloud-init');
    assert.equal(facts.get('config2'), 'config-2');

    // The partition table: config-2 is the last partition, at the end of the disk; the GPT backup is at the last LBA.
    const sectors = Number(facts.get('sectors'));
    assert.equal(sectors, 8 * 1024 * 1024 * 2, 'the 8 GiB lab disk');
    assert.equal(facts.get('lastlba'), 'EFI PART', 'the backup GPT header is at the last LBA');
    assert.match(facts.get('sgdisk') ?? '', /No problems found/, facts.get('sgdisk'));
    const table = (JSON.parse(facts.get('sfdisk') as string) as { partitiontable: { label: string; lastlba: number; partitions: Array<{ node: string; start: number; size: number }> } })
      .partitiontable;
    assert.equal(table.label, 'gpt');
    const last = [...table.partitions].sort((a, b) => a.start - b.start).at(-1);
    assert.equal(last?.node, facts.get('config2dev'), 'config-2 is the last partition');
    assert.ok(table.lastlba - ((last?.start ?? 0) + (last?.size ?? 0) - 1) < 2048, `config-2 ends at the end of the disk (last usable LBA ${table.lastlba})`);
  }

  /** One successful journey: reinstall through the OVH client, follow it to the first boot, check the guest. */
  async function journey(t: TestContext, serverName: string, file: string, type: 'raw' | 'qcow2', name: string): Promise<void> {
    const server = serverNamed(serverName);
    const started = Date.now();
    const task = (await client.requestPromised('POST', `/dedicated/server/${serverName}/reinstall`, payload(file, type, images.sha512(join(images.dir, file)), name))) as Task;
    assert.equal(task.status, 'init');
    const { task: ended, steps, endedSeconds } = await followTask(t, serverName, task.taskId, journeyTimeoutMs - 3 * minute);
    assert.equal(ended.status, 'done', `${ended.comment}\nserial console:\n${serialTail(server.serialLog)}`);
    // Every step done, the last being the installed system's own report.
    const status = await client.requestPromised('GET', `/dedicated/server/${serverName}/install/status`).catch((error: { error?: number }) => error);
    assert.equal((status as { error?: number }).error, 404, 'once done, the server is no longer being installed');
    // With tasks.firstBootWaitSeconds the task is done when the installed system reported its first boot.
    assert.ok(steps['reboot-installer'] !== undefined && steps['switch-boot'] !== undefined, `the steps advanced: ${JSON.stringify(steps)}`);
    // The phone home runs inside cloud-init's final stage, before final_message is printed: under load that can
    // be a minute later, so wait for it (bounded) instead of reading the console once.
    let serial = readFileSync(server.serialLog, 'latin1');
    for (const deadline = Date.now() + 3 * minute; !/BYOI-LAB-FINAL the system is up/.test(serial) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      serial = readFileSync(server.serialLog, 'latin1');
    }
    assert.match(serial, /byoi-rescue: network up/, 'the server booted the rescue system');
    assert.match(serial, /BYOI-LAB-FINAL the system is up/, "cloud-init's final_message of the user data");
    if (server.firmware === 'uefi') assert.match(serial, /byoi: found on \(hd0,gpt2\), starting it/, 'GRUB chainloaded efiBootloaderPath from the ESP');
    else assert.match(serial, /Boot first local hdd in LEGACY mode/);
    const details = (await client.requestPromised('GET', `/dedicated/server/${serverName}`)) as Record<string, unknown>;
    assert.deepEqual([details.os, details.bootId], ['byoi_64', 1]);
    await checkGuest(t, server, name);

    const phases = {
      pxeToAgentSeconds: steps['reboot-installer'],
      deploySeconds: delta(steps['reboot-installer'], steps['switch-boot']),
      rebootToFirstBootSeconds: delta(steps['switch-boot'], endedSeconds),
      totalSeconds: seconds(started),
    };
    timings[name] = { server: serverName, firmware: server.firmware, image: file, ...phases };
    t.diagnostic(`${name}: ${JSON.stringify(phases)}`);
  }

  describe('journeys', { concurrency: 2 }, () => {
    test('UEFI + raw image: lab1 boots Debian through efiBootloaderPath with its config drive', { timeout: journeyTimeoutMs }, async (t) => {
      if (!(await ready(t))) return;
      await journey(t, 'lab1.byoi.lab', 'debian-12.raw', 'raw', 'uefi-raw');
    });

    test('legacy + compressed qcow2, then a wrong checksum: lab2 boots Debian, then is left with nothing to boot', { timeout: 2 * journeyTimeoutMs }, async (t) => {
      if (!(await ready(t))) return;
      await journey(t, 'lab2.byoi.lab', 'debian-12-compressed.qcow2', 'qcow2', 'legacy-qcow2');
      await wrongChecksum(t, 'lab2.byoi.lab');
    });
  });

  /** The failure journey: the deploy refuses the image after downloading it, the server boots back to nothing. */
  async function wrongChecksum(t: TestContext, serverName: string): Promise<void> {
    const server = serverNamed(serverName);
    const file = 'debian-12-compressed.qcow2';
    const wrong = 'ab'.repeat(64);
    const started = Date.now();
    const serialBefore = readFileSync(server.serialLog, 'latin1').length;
    const task = (await client.requestPromised('POST', `/dedicated/server/${serverName}/reinstall`, payload(file, 'qcow2', wrong, 'wrong-checksum'))) as Task;
    const { task: ended } = await followTask(t, serverName, task.taskId, 12 * minute);
    assert.equal(ended.status, 'customerError', ended.comment);
    const expected = catalogue.BYOI_CHECKSUM_MISMATCH.message.replace('{got}', images.sha512(join(images.dir, file))).replace('{expected}', wrong);
    assert.equal(ended.comment, expected, "the seed's message, word for word");

    // The rescue reboots after the failure; the boot service sends it to its disk, which has no partition table
    // left (commit-last), so the legacy boot fails visibly and is reported, instead of starting a broken OS.
    const deadline = Date.now() + 4 * minute;
    let after = '';
    while (Date.now() < deadline) {
      after = readFileSync(server.serialLog, 'latin1').slice(serialBefore);
      if (/byoi: the first local disk \(drive 0x80\) did not boot/.test(after)) break;
      await sleep(3000);
    }
    assert.match(after, /byoi-rescue: installer stopped with exit status 1/, 'the installer reported the failure and rebooted');
    assert.match(after, /byoi: the first local disk \(drive 0x80\) did not boot/, `the disk boot failed visibly:\n${serialTail(server.serialLog)}`);
    assert.doesNotMatch(after.slice(after.indexOf('installer stopped')), /Linux version|BYOI-LAB-FINAL/, 'no operating system started after the failed install');
    // The disk file, as the firmware sees it: no MBR or GPT (sfdisk finds no table, blkid no signature at the start).
    const table = runStatus('sfdisk', ['--dump', server.disk]);
    assert.notEqual(table.status, 0, `sfdisk finds no partition table: ${table.stdout}`);
    const probe = runStatus('blkid', ['-p', server.disk]);
    assert.equal(probe.stdout.trim(), '', 'no signature at the start of the disk');
    const details = (await client.requestPromised('GET', `/dedicated/server/${serverName}`)) as Record<string, unknown>;
    timings['wrong-checksum'] = { server: serverName, firmware: server.firmware, image: file, totalSeconds: seconds(started), bootId: details.bootId };
  }

  test('no secret in the control plane log or on the consoles: Basic auth, user data, installer tokens', async (t) => {
    if (!(await ready(t))) return;
    const userData = (payload('debian-12.raw', 'raw', '', 'uefi-raw').customizations as Record<string, string>).configDriveUserData as string;
    const places = [
      { name: "byoi serve's log", text: control?.output() ?? '' },
      ...servers.map((server) => ({ name: `${server.serviceName}'s serial console`, text: readFileSync(server.serialLog, 'latin1') })),
    ];
    for (const place of places) {
      assert.ok(place.text.length > 0, `${place.name} is not empty`);
      assert.ok(!place.text.includes(basicAuth.slice('Basic '.length)), `${place.name} has no Authorization value`);
      assert.ok(!place.text.includes(userData), `${place.name} has no user data`);
      assert.ok(!place.text.includes('byoi.token='), `${place.name} has no installer token`);
    }
  });

  test('byoi lab status --json and byoi lab down: the lab lists and stops its servers', { timeout: 5 * minute }, async (t) => {
    if (!(await ready(t))) return;
    const status = JSON.parse(await byoi(['lab', 'status', '--data-dir', dataDir, '--json'])) as { accelerator: string; servers: LabServerStatus[] };
    assert.ok(['kvm', 'tcg'].includes(status.accelerator));
    for (const server of status.servers) {
      assert.match(server.mac, /^52:54:00:b0:1a:0[12]$/);
      assert.ok(server.sshPort > 0 && existsSync(server.qmpSocket), `${server.serviceName}: SSH port and QMP socket`);
      assert.equal(server.runState, 'running');
    }
    const down = await byoi(['lab', 'down', '--data-dir', dataDir]);
    assert.match(down, /stopped: lab1\.byoi\.lab, lab2\.byoi\.lab/);
    const stopped = JSON.parse(await byoi(['lab', 'status', '--data-dir', dataDir, '--json'])) as { servers: LabServerStatus[] };
    assert.deepEqual(
      stopped.servers.map((s) => s.runState),
      [null, null],
    );
  });
});

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

function delta(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined ? undefined : Math.round((to - from) * 10) / 10;
}
