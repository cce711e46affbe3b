// The web panel in a real browser (Debian's Chromium through playwright-core) against a real `byoi serve` with
// its demo fleet: sign-in, the servers list, the install wizard of OVHcloud's guide from the list to "done" with
// the disk checked afterwards, validation with the API's own messages, a failed install explained with the seed's
// solution, tenancy, a phone-sized, keyboard-driven visit, and the confirm dialogs (boot mode, reboot, cancel).
// Every test leaves screenshots in test-output/panel/.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { ByoiError } from '../../../src/contract/errors/byoi-error.ts';
import { catalogue } from '../../../src/contract/errors/catalogue.ts';
import { parseSshKey } from '../../../src/contract/ssh-key/parse-ssh-key.ts';
import { openDisk } from '../../../src/deploy/disk/open-disk.ts';
import { readPartitionTable } from '../../../src/image/partition-table/read-partition-table.ts';
import { needTools } from '../../helpers/tools.ts';
import { readDeployedDisk } from '../../integration/agent/helpers/deployed-disk.ts';
import { startSlowImageServer, type SlowImageServer } from '../../integration/agent/helpers/slow-image-server.ts';
import { ovhHeaders } from '../../integration/control/helpers/ovh-signer.ts';
import { ed25519KeyLine } from '../../unit/contract/_fixtures.ts';
import {
  admin,
  chromiumPath,
  createAccountKeys,
  ensurePanelBuilt,
  launchChromium,
  needChromium,
  newPage,
  screenshot,
  signIn,
  startByoi,
  type ApiKeys,
  type RunningByoi,
} from './helpers/panel-harness.ts';

describe('the web panel, in Chromium, against byoi serve and its demo fleet', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'byoi-panel-'));
  let byoi: RunningByoi;
  let browser: Browser;
  let demo: ApiKeys & { apiUrl: string };
  let acme: ApiKeys;
  let ops: ApiKeys;
  let slow: SlowImageServer;
  let sample: { bytes: Buffer; sha256: string };
  let ready = false;

  before(async () => {
    // Without Chromium each test reports the skip (or, under CI=true, the failure) itself.
    if (!existsSync(chromiumPath) && process.env.CI !== 'true') return;
    ensurePanelBuilt();
    byoi = await startByoi(dataDir);
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as ApiKeys & { apiUrl: string };
    sample = {
      bytes: readFileSync(join(dataDir, 'images', 'sample-gpt.raw')),
      sha256: (readFileSync(join(dataDir, 'images', 'sample-gpt.raw.sha256'), 'utf8').split(/\s+/)[0] ?? '').trim(),
    };
    // The same sample image, sent slowly, so the live page can be watched while it is written.
    slow = await startSlowImageServer(sample.bytes, { bytesPerSecond: 6 * 1024 * 1024 });
    // Another tenant with a server of its own, and an operator who sees the whole fleet.
    acme = await createAccountKeys(dataDir, 'acme');
    await admin(dataDir, 'server', 'add', 'ns2001.acme.test', '--account', 'acme', '--mac', '02:ac:00:00:20:01', '--boot-mode', 'uefi', '--power-driver', 'none', '--disks', 'SSD:960G', '--display-name', 'Acme database server');
    ops = await createAccountKeys(dataDir, 'ops', { operator: true });
    browser = await launchChromium();
    ready = true;
  });

  after(async () => {
    await browser?.close();
    await slow?.close();
    await byoi?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('signs in with pasted demo-credentials.json, lists the demo fleet with search and sort, and signs out', async (t) => {
    if (!needChromium(t) || !ready) return;
    const { context, page, errors } = await newPage(browser);
    try {
      await page.goto(`${byoi.origin}/`);
      await page.getByText('Or paste demo-credentials.json').click();
      await page.getByLabel(/The file's content/).fill(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
      assert.equal(await page.getByLabel('Application key').inputValue(), demo.applicationKey, 'the pasted JSON fills the keys');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('signed-in-account').waitFor();
      assert.match(await page.getByTestId('signed-in-account').innerText(), /demo$/);

      const rows = page.getByTestId('server-row');
      await rows.first().waitFor();
      assert.deepEqual(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-server'))), ['ns1001.byoi.demo', 'ns1002.byoi.demo', 'ns1003.byoi.demo']);
      const legacy = page.locator('[data-server="ns1002.byoi.demo"]');
      assert.match(await legacy.innerText(), /LEGACY/);
      assert.match(await legacy.innerText(), /none_64/);

      await page.getByPlaceholder('Search').fill('legacy');
      assert.deepEqual(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-server'))), ['ns1002.byoi.demo']);
      await page.getByPlaceholder('Search').fill('');
      await page.getByRole('button', { name: /^Name/ }).click();
      assert.deepEqual(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-server'))), ['ns1003.byoi.demo', 'ns1002.byoi.demo', 'ns1001.byoi.demo'], 'a second click sorts descending');
      await screenshot(page, '01-servers');

      // The session is an HttpOnly cookie the page cannot read, and sign-out ends it on the server.
      assert.equal(await page.evaluate('document.cookie'), '');
      const cookies = await context.cookies();
      assert.equal(cookies.find((cookie) => cookie.name === 'byoi_session')?.httpOnly, true);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are signed out.').waitFor();
      // Without the cookie the API sees an unsigned call: 403 "This application key is invalid".
      const afterSignOut = await context.request.get(`${byoi.apiUrl}/dedicated/server`);
      assert.equal(afterSignOut.status(), 403);
      assert.equal((await context.cookies()).some((cookie) => cookie.name === 'byoi_session'), false);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('installs the sample image on ns1001 with the wizard, from the list to done, live; the disk holds it', async (t) => {
    if (!needChromium(t) || !ready) return;
    if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, byoi.origin, demo);
      // The seed's path: the server, "..." next to System (OS), Install.
      await page.getByRole('link', { name: 'ns1001.byoi.demo' }).click();
      await page.getByTestId('system-os').waitFor();
      assert.match(await page.getByTestId('disk-groups').innerText(), /1 × SSD\s+17\.18 GB \(16\.0 GiB\)/);
      await page.getByLabel('Actions for System (OS)').click();
      await page.getByRole('button', { name: /^Install/ }).click();
      // Custom → Bring Your Own Image - byoi → Next.
      const next = page.getByRole('button', { name: 'Next' });
      assert.equal(await next.isDisabled(), true, 'Next waits for a choice');
      await page.getByRole('button', { name: 'Custom' }).waitFor();
      await page.getByLabel(/Bring Your Own Image - byoi/).check();
      await next.click();

      // The configuration page.
      const imageUrl = slow.url('/sample-gpt.raw');
      await page.locator('#image-url').fill(imageUrl);
      await page.getByRole('button', { name: 'Inspect image' }).click();
      const inspection = page.getByTestId('inspect-result');
      await inspection.waitFor();
      assert.equal(await page.getByTestId('inspect-format').innerText(), 'raw');
      assert.match(await page.getByTestId('inspect-loaders').innerText(), /\\EFI\\debian\\grubx64\.efi/);
      assert.match(await inspection.innerText(), /No blocking problem/);
      assert.equal(await page.locator('#efi-path').inputValue(), '\\EFI\\debian\\grubx64.efi', 'the detected loader fills the EFI path');
      assert.equal(await page.locator('input[name="imageType"][value="raw"]').isChecked(), true, 'the detected format sets the image type');

      await page.locator('#checksum-type').selectOption('sha256');
      await page.locator('#checksum').fill(sample.sha256.toUpperCase());
      await page.getByRole('button', { name: 'Add a header' }).click();
      await page.getByLabel('Header 1 name').fill('Authorization');
      await page.getByLabel('Header 1 value').fill('Bearer panel-secret-value');
      assert.equal(await page.getByLabel('Header 1 value').getAttribute('type'), 'password', 'header values are masked');
      await page.locator('#hostname').fill('panel-web-1');
      const sshKey = ed25519KeyLine('panel@test');
      await page.locator('#ssh-key').fill(sshKey);
      assert.match(await page.getByTestId('ssh-fingerprint').innerText(), new RegExp(parseSshKey(sshKey).fingerprint.replace(/[+/]/g, '\\$&')));
      const userData = '#cloud-config\npackages:\n  - vim\nfinal_message: installed from the byoi panel\n';
      await page.locator('#user-data').fill(userData);
      assert.match(await page.getByTestId('user-data-kind').innerText(), /#cloud-config \(YAML\)/);
      await page.getByText(/Base64 sent to the API/).click();
      assert.equal(await page.getByTestId('user-data-base64').textContent(), Buffer.from(userData).toString('base64'));
      await page.getByRole('button', { name: 'Add metadata' }).click();
      await page.getByLabel('Metadata 1 key').fill('role');
      await page.getByLabel('Metadata 1 value').fill('web');
      assert.equal(await page.getByTestId('field-problem').count(), 0, 'no problem is left');
      await screenshot(page, '02-wizard-configuration', { docsName: 'panel-wizard-configuration' });
      await next.click();

      // The confirmation page: the seed's warning, and the exact payload with its secrets masked.
      await page.getByTestId('erase-warning').waitFor();
      assert.match(await page.getByTestId('erase-warning').innerText(), /a new installation with BYOI will erase all the data on the server/);
      const preview = JSON.parse(await page.getByTestId('payload-preview').innerText()) as Record<string, unknown>;
      assert.deepEqual(preview, {
        operatingSystem: 'byoi_64',
        customizations: {
          imageURL: imageUrl,
          imageType: 'raw',
          imageCheckSum: sample.sha256.toUpperCase(),
          imageCheckSumType: 'sha256',
          efiBootloaderPath: '\\EFI\\debian\\grubx64.efi',
          httpHeaders: { Authorization: '[redacted]' },
          hostname: 'panel-web-1',
          sshKey,
          configDriveUserData: '[redacted]',
          configDriveMetadata: { role: 'web' },
        },
      });
      assert.ok(!(await page.content()).includes('panel-secret-value'), 'the header value is not on the page');
      await screenshot(page, '03-wizard-confirmation', { docsName: 'panel-wizard-confirmation' });
      const confirm = page.getByRole('button', { name: 'Confirm' });
      assert.equal(await confirm.isDisabled(), true, 'Confirm waits for the acknowledgement');
      await page.getByLabel(/I understand that all data on ns1001.byoi.demo will be erased/).check();
      await confirm.click();

      // The live page: steps, bytes, rate and ETA over SSE while the slow server sends the image.
      await page.waitForURL(/\/servers\/ns1001\.byoi\.demo\/tasks\/\d+$/);
      const taskId = Number(new URL(page.url()).pathname.split('/').at(-1));
      for (const deadline = Date.now() + 30_000; ; ) {
        const text = (await page.getByTestId('bytes-downloaded').textContent().catch(() => null)) ?? '';
        const percent = Number(/\((\d+)%\)/.exec(text)?.[1] ?? -1);
        if (percent >= 20 && percent <= 80) break;
        assert.ok(Date.now() < deadline, `the transfer shows its progress (last: ${text})`);
        await page.waitForTimeout(100);
      }
      assert.equal(await page.locator('[data-step="download-write"]').getAttribute('data-status'), 'doing');
      assert.equal(await page.locator('[data-step="check-image"]').getAttribute('data-status'), 'done');
      assert.match(await page.getByTestId('rate').innerText(), /\/s$/);
      assert.notEqual(await page.getByTestId('eta').innerText(), '–');
      await screenshot(page, '04-install-live', { docsName: 'panel-install-live' });

      // Meanwhile the servers list shows the task with its progress bar.
      const list = await context.newPage();
      await list.goto(`${byoi.origin}/servers`);
      const row = list.locator('[data-server="ns1001.byoi.demo"]');
      await row.locator('progress').waitFor();
      assert.match(await row.innerText(), /Installation/);
      await screenshot(list, '05-servers-installing', { docsName: 'panel-servers' });
      await list.close();

      await page.getByTestId('task-success').waitFor({ timeout: 60_000 });
      // The page reads the server again once the task is done and shows '…' until that answer is in.
      await page.waitForFunction(`document.querySelector('[data-testid="detected-efi-path"]')?.textContent !== '…'`);
      assert.equal(await page.getByTestId('detected-efi-path').innerText(), '\\EFI\\debian\\grubx64.efi');
      assert.deepEqual(
        await page.getByTestId('install-steps').locator('li').evaluateAll((steps) => steps.map((step) => `${step.getAttribute('data-step')}:${step.getAttribute('data-status')}`)),
        ['reboot-installer', 'check-image', 'download-write', 'verify-checksum', 'move-gpt', 'config-drive', 'switch-boot', 'last-reboot']
          .map((id) => `${id}:done`)
          .concat('first-boot:todo'),
      );
      assert.match(await page.getByTestId('first-boot').innerText(), /Waiting for the first boot confirmation/);

      // The disk, read with byoi's readers and checked with sgdisk -v, blkid and mtype.
      const disk = await readDeployedDisk(join(dataDir, 'disks', 'ns1001.byoi.demo-group1-disk0.img'));
      assert.deepEqual(disk.efiBootloaderPaths, ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\grubx64.efi']);
      assert.equal(disk.metaData.hostname, 'panel-web-1');
      assert.deepEqual(disk.metaData.meta, { role: 'web' });
      assert.equal((disk.metaData.public_keys as Record<string, string>).default, sshKey);
      assert.equal(disk.userData?.toString('utf8'), userData);

      // The installed system phones home (cloud-init's phone_home, as the config drive asks): the page says so.
      assert.ok(disk.phoneHomeUrl !== null);
      const form = new URLSearchParams({ instance_id: String(disk.metaData.uuid), hostname: 'panel-web-1', pub_key_ed25519: sshKey });
      const phoned = await request(disk.phoneHomeUrl, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(phoned.statusCode, 200, await phoned.body.text());
      await page.getByText('First boot confirmed').waitFor({ timeout: 20_000 });
      assert.equal(await page.locator('[data-step="first-boot"]').getAttribute('data-status'), 'done');
      await screenshot(page, '06-install-done', { docsName: 'panel-install-done' });

      // The task history lists it.
      await page.getByRole('link', { name: 'Tasks', exact: true }).click();
      const history = page.locator(`[data-testid="task-row"][data-task="${taskId}"]`);
      await history.waitFor();
      assert.match(await history.innerText(), /Installation #\d+\s+Done/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('validates as you type with the API\u2019s own messages: checksum without type, SSH key, hostname, user data', async (t) => {
    if (!needChromium(t) || !ready) return;
    const { context, page, errors } = await newPage(browser);
    try {
      // A deep link: the sign-in page keeps it.
      await signIn(page, byoi.origin, demo, '/servers/ns1002.byoi.demo/install');
      await page.getByLabel(/Bring Your Own Image - byoi/).check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('#image-url').fill(`${byoi.origin}/demo/images/sample-gpt.raw`);

      const base = { operatingSystem: 'byoi_64', customizations: { imageURL: `${byoi.origin}/demo/images/sample-gpt.raw`, imageType: 'qcow2' } };
      const apiMessage = async (customizations: Record<string, string>) => {
        const body = JSON.stringify({ ...base, customizations: { ...base.customizations, ...customizations } });
        const url = `${demo.apiUrl}/dedicated/server/ns1002.byoi.demo/reinstall`;
        const headers = ovhHeaders(demo, { method: 'POST', url, body, timestamp: Number(await (await request(`${demo.apiUrl}/auth/time`)).body.text()) });
        const reply = await request(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } });
        assert.equal(reply.statusCode, 400);
        return ((await reply.body.json()) as { message: string }).message;
      };
      const problemsOf = (id: string) => page.locator(`#${id}-problems [data-testid="field-problem"]`);

      // 1. A checksum without its type: the seed's message, under the missing half, as soon as it is typed.
      await page.locator('#checksum').fill('a'.repeat(64));
      const pair = new ByoiError('BYOI_REQUEST_CHECKSUM_PAIR').message;
      assert.equal(pair, 'Please provide checkSum AND checkSumType or none of them');
      await problemsOf('checksum-type').first().waitFor();
      assert.match(await problemsOf('checksum-type').first().innerText(), new RegExp(`^${pair}`));
      assert.equal(await apiMessage({ imageCheckSum: 'a'.repeat(64) }), pair);

      // 2. A key that is not an OpenSSH public key.
      const badKey = 'ssh-rsa AAAAB3NzaC1yc2E= me@laptop';
      await page.locator('#ssh-key').fill(badKey);
      const keyMessage = await apiMessage({ sshKey: badKey });
      assert.match(keyMessage, /^Invalid customization format for sshKey of type sshPubKey: /);
      assert.equal((await problemsOf('ssh-key').first().innerText()).split('\n')[0], keyMessage);

      // 3. A hostname whose label starts with a digit (RFC 1035, as OVH's message says).
      await page.locator('#hostname').fill('1web');
      const hostnameMessage = await apiMessage({ hostname: '1web' });
      assert.match(hostnameMessage, /^Invalid hostname 1web/);
      assert.equal((await problemsOf('hostname').first().innerText()).split('\n')[0], hostnameMessage);

      // 4. User data that is neither a #cloud-config document nor a script (the panel sends base64, as the API gets it).
      const notUserData = 'hello: world\nthis is no cloud-init header\n';
      await page.locator('#user-data').fill(notUserData);
      const userDataMessage = await apiMessage({ configDriveUserData: Buffer.from(notUserData).toString('base64') });
      assert.match(userDataMessage, /^Invalid customization format for configDriveUserData of type text: .*not a cloud-init user-data header/);
      assert.equal((await problemsOf('user-data').first().innerText()).split('\n')[0], userDataMessage);
      // A #cloud-config that is not YAML is caught too, with the line and column.
      await page.locator('#user-data').fill('#cloud-config\nusers: [a, b\n');
      assert.match(await problemsOf('user-data').first().innerText(), /is not valid YAML: line \d+, column \d+/);

      // Nothing was sent: Next refuses and says why.
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Some fields need attention before the next step.').waitFor();
      assert.equal(await page.getByTestId('erase-warning').count(), 0);
      await screenshot(page, '07-wizard-validation', { docsName: 'panel-wizard-validation' });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a failed install (wrong checksum) shows the seed\u2019s message and its solution, and the disk stays blank', async (t) => {
    if (!needChromium(t) || !ready) return;
    const { context, page, errors } = await newPage(browser);
    try {
      await signIn(page, byoi.origin, demo, '/servers/ns1003.byoi.demo/install');
      await page.getByLabel(/Bring Your Own Image - byoi/).check();
      await page.getByRole('button', { name: 'Next' }).click();
      // The demo sample image, served by byoi itself, onto the second disk group (the HDD).
      await page.locator('#image-url').fill(`${byoi.origin}/demo/images/sample-gpt.raw`);
      await page.locator('input[name="imageType"][value="raw"]').check({ force: true });
      await page.getByLabel(/Disk group #2/).check();
      await page.locator('#checksum-type').selectOption('sha256');
      const wrong = '0'.repeat(64);
      await page.locator('#checksum').fill(wrong);
      await page.getByRole('button', { name: 'Next' }).click();
      assert.match(await page.getByTestId('install-summary').innerText(), /group #2: 1 × 34\.36 GB \(32\.0 GiB\) HDD/);
      await page.getByLabel(/I understand/).check();
      await page.getByRole('button', { name: 'Confirm' }).click();

      const failure = page.getByTestId('task-failure');
      await failure.waitFor({ timeout: 60_000 });
      assert.equal(await page.getByTestId('task-failure-message').innerText(), `Bad checkSumType for downloaded file, got: ${sample.sha256} while expecting ${wrong}.`);
      assert.equal(await page.getByTestId('task-failure-solution').innerText(), `Solution: ${catalogue.BYOI_CHECKSUM_MISMATCH.solution}`);
      assert.match(await failure.innerText(), /The installation failed/);
      assert.equal(await page.locator('[data-step="verify-checksum"]').getAttribute('data-status'), 'error');
      assert.equal(await page.locator('[data-status="customerError"]').count(), 1);
      await screenshot(page, '08-install-failed', { docsName: 'panel-install-failed' });

      // Commit-last: the partition tables were never written, so the disk reads as blank.
      const disk = await openDisk(join(dataDir, 'disks', 'ns1003.byoi.demo-group2-disk0.img'), { readOnly: true });
      try {
        assert.equal(await readPartitionTable(disk), null);
      } finally {
        await disk.close();
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a customer cannot see another account\u2019s server; an operator sees the whole fleet', async (t) => {
    if (!needChromium(t) || !ready) return;
    const customer = await newPage(browser);
    try {
      await signIn(customer.page, byoi.origin, demo);
      await customer.page.getByTestId('server-row').first().waitFor();
      assert.equal(await customer.page.locator('[data-server="ns2001.acme.test"]').count(), 0);
      // Not even by its address: the API answers as for a server that does not exist.
      await customer.page.goto(`${byoi.origin}/servers/ns2001.acme.test`);
      await customer.page.getByTestId('server-error').waitFor();
      assert.equal(await customer.page.getByTestId('server-error').innerText(), 'The requested object (serviceName = ns2001.acme.test) does not exist');
      await customer.page.goto(`${byoi.origin}/servers/ns2001.acme.test/tasks/1`);
      assert.equal(await customer.page.locator('[data-testid="task-success"], [data-testid="install-steps"] [data-status="done"]').count(), 0);
      // The acme tenant sees only its own.
      const other = await newPage(browser);
      await signIn(other.page, byoi.origin, acme);
      await other.page.getByTestId('server-row').first().waitFor();
      assert.deepEqual(await other.page.getByTestId('server-row').evaluateAll((all) => all.map((row) => row.getAttribute('data-server'))), ['ns2001.acme.test']);
      await other.context.close();
    } finally {
      await customer.context.close();
    }

    const operator = await newPage(browser);
    try {
      await signIn(operator.page, byoi.origin, ops);
      await operator.page.getByText('operator', { exact: true }).waitFor();
      await operator.page.locator('[data-server="ns2001.acme.test"]').waitFor();
      assert.equal(await operator.page.getByTestId('server-row').count(), 4);
      assert.match(await operator.page.locator('[data-server="ns2001.acme.test"]').innerText(), /acme/);
      await screenshot(operator.page, '09-operator-fleet');
      await operator.page.getByRole('link', { name: 'ns2001.acme.test' }).click();
      await operator.page.getByTestId('foreign-server').waitFor();
      assert.match(await operator.page.getByTestId('foreign-server').innerText(), /belongs to account acme/);
      assert.deepEqual(operator.errors, []);
    } finally {
      await operator.context.close();
    }
  });

  test('works on a phone and with the keyboard alone: no page-wide scroll, visible focus, the "..." menu', async (t) => {
    if (!needChromium(t) || !ready) return;
    const { context, page, errors } = await newPage(browser, { viewport: { width: 390, height: 844 } });
    try {
      await signIn(page, byoi.origin, demo);
      await page.getByTestId('server-row').first().waitFor();
      assert.ok(await page.evaluate(fitsWidth), 'the page fits the phone width');
      await screenshot(page, '10-phone-servers', { docsName: 'panel-phone' });

      // Keyboard: Tab to the first server link, Enter opens it.
      await tabUntil(page, "element.tagName === 'A' && element.textContent === 'ns1001.byoi.demo'");
      assert.ok(await page.evaluate("getComputedStyle(document.activeElement).outlineStyle !== 'none'"), 'focus is visible');
      await page.keyboard.press('Enter');
      await page.getByTestId('system-os').waitFor();
      // The "..." menu next to System (OS): Enter opens it, Escape closes it, then Enter and Tab reach Install.
      await tabUntil(page, "element.getAttribute('aria-label') === 'Actions for System (OS)'");
      await page.keyboard.press('Enter');
      const install = page.getByRole('button', { name: /^Install/ });
      await install.waitFor();
      await page.keyboard.press('Escape');
      await install.waitFor({ state: 'hidden' });
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.match(String(await page.evaluate("document.activeElement?.textContent ?? ''")), /^Install/);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/install$/);
      // Every form control of the wizard has a label.
      await page.getByLabel(/Bring Your Own Image - byoi/).check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('#image-url').waitFor();
      const unlabelled = await page.evaluate(
        `[...document.querySelectorAll('input, select, textarea')]
          .filter((element) => element.type !== 'hidden')
          .filter((element) => element.labels?.length === 0 && !element.getAttribute('aria-label'))
          .map((element) => element.outerHTML.slice(0, 80))`,
      );
      assert.deepEqual(unlabelled, []);
      assert.ok(await page.evaluate(fitsWidth), 'the wizard fits the phone width');
      await screenshot(page, '11-phone-wizard');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('the confirm dialogs: boot mode saved, a refused reboot kept in its dialog, a task cancelled, a reboot confirmed', async (t) => {
    if (!needChromium(t) || !ready) return;
    const { context, page, errors } = await newPage(browser);
    // An image server that accepts and never answers: the install it is given stays running until cancelled.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      await signIn(page, byoi.origin, demo, '/servers/ns1003.byoi.demo');
      await page.getByTestId('system-os').waitFor();
      const chooseBoot = async (option: RegExp) => {
        await page.getByLabel('Actions for Boot').click();
        await page.getByRole('button', { name: 'Change the boot mode' }).click();
        const dialog = page.getByRole('dialog', { name: 'Boot mode' });
        await dialog.getByRole('radio', { name: option }).check();
        await dialog.getByRole('button', { name: 'Save' }).click();
        await dialog.waitFor({ state: 'hidden' });
      };
      await chooseBoot(/byoi rescue system/);
      await page.getByText('byoi rescue system (rescue)').waitFor();
      await chooseBoot(/Boot from the disk/);
      await page.getByText('Boot from the disk (harddisk)').waitFor();

      // An install started elsewhere (the page does not know yet): the API refuses the reboot, the dialog says why.
      const body = JSON.stringify({ operatingSystem: 'byoi_64', customizations: { imageURL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/image.raw`, imageType: 'raw' } });
      const url = `${demo.apiUrl}/dedicated/server/ns1003.byoi.demo/reinstall`;
      const headers = ovhHeaders(demo, { method: 'POST', url, body, timestamp: Number(await (await request(`${demo.apiUrl}/auth/time`)).body.text()) });
      const started = await request(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } });
      assert.equal(started.statusCode, 200);
      const { taskId } = (await started.body.json()) as { taskId: number };
      const reboot = page.getByRole('dialog', { name: 'Reboot ns1003.byoi.demo?' });
      await page.getByRole('button', { name: 'Reboot', exact: true }).click();
      await reboot.getByText('This is a hard reboot').waitFor();
      await reboot.getByRole('button', { name: 'Reboot' }).click();
      await reboot.getByRole('alert').waitFor();
      assert.match(await reboot.getByRole('alert').innerText(), new RegExp(`^Task ${taskId} of type reinstallServer with status \\w+ is already running on server ns1003.byoi.demo`));
      await reboot.getByRole('button', { name: 'Cancel' }).click();
      await reboot.waitFor({ state: 'hidden' });

      // The task page's cancel dialog ends that install.
      await page.goto(`${byoi.origin}/servers/ns1003.byoi.demo/tasks/${taskId}`);
      await page.getByRole('button', { name: 'Cancel the task' }).click();
      const cancel = page.getByRole('dialog', { name: 'Cancel this task?' });
      await cancel.getByRole('button', { name: 'Cancel the task' }).click();
      await cancel.waitFor({ state: 'hidden' });
      await page.getByTestId('task-failure').getByText('The task was cancelled').waitFor();

      // With nothing running, the reboot goes through and its task opens.
      await page.goto(`${byoi.origin}/servers/ns1003.byoi.demo`);
      await page.getByRole('button', { name: 'Reboot', exact: true }).click();
      await reboot.getByRole('button', { name: 'Reboot' }).click();
      await page.waitForURL(/\/servers\/ns1003\.byoi\.demo\/tasks\/\d+$/);
      await page.getByTestId('task-success').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      silent.closeAllConnections();
      silent.close();
    }
  });
});

const fitsWidth = 'document.documentElement.scrollWidth <= window.innerWidth';

/** Presses Tab until the focused element passes `condition` (browser-side code about `element`), at most 60 times. */
async function tabUntil(page: Page, condition: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`(() => { const element = document.activeElement; return element !== null && (${condition}); })()`)) return;
  }
  assert.fail(`no element with ${condition} was reached with Tab`);
}
