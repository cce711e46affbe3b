import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogue, type ErrorCode } from '../../../src/contract/errors/catalogue.ts';
import { isByoiError } from '../../../src/contract/errors/byoi-error.ts';
import { parseReinstallBody } from '../../../src/contract/request/parse-reinstall-body.ts';
import { parseInstallStartBody } from '../../../src/contract/request/parse-install-start-body.ts';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { sshRsaPublicKey } from './helpers/ssh-key.ts';

const image = { imageURL: 'https://images.example.net/debian-12.raw', imageType: 'raw', efiBootloaderPath: '\\efi\\debian\\grubx64.efi' };
const reinstall = (customizations: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  operatingSystem: 'byoi_64',
  customizations: { ...image, ...customizations },
  ...extra,
});

/** One body per way the contract refuses a reinstall; the code each must give is checked against the parser. */
const reinstallCases: Array<[ErrorCode, unknown]> = [
  ['BYOI_REQUEST_CHECKSUM_PAIR', reinstall({ imageCheckSum: 'ab'.repeat(32) })],
  ['BYOI_REQUEST_IMAGE_TYPE', reinstall({ imageType: 'vmdk' })],
  ['BYOI_REQUEST_CHECKSUM_TYPE', reinstall({ imageCheckSum: 'ab'.repeat(32), imageCheckSumType: 'crc32' })],
  ['BYOI_REQUEST_INVALID_FORMAT', reinstall({ imageURL: 'ftp://images.example.net/x.raw' })],
  ['BYOI_REQUEST_INVALID_FORMAT', reinstall({ sshKey: sshRsaPublicKey(1024) })],
  ['BYOI_REQUEST_INVALID_FORMAT', reinstall({ httpHeaders: { 'Bad Header': 'x' } })],
  ['BYOI_REQUEST_SIZE_EXCEEDED', reinstall({ configDriveUserData: `#cloud-config\n${'a: b\n'.repeat(60000)}` })],
  ['BYOI_REQUEST_UNKNOWN_CUSTOMIZATION', reinstall({ postInstallationScript: 'echo' , foo: 'bar' })],
  ['BYOI_REQUEST_MISSING_CUSTOMIZATION', { operatingSystem: 'byoi_64', customizations: { imageType: 'raw' } }],
  ['BYOI_REQUEST_HOSTNAME_FORMAT', reinstall({ hostname: '-bad' })],
  ['BYOI_REQUEST_HOSTNAME_SIZE', reinstall({ hostname: `${`${'a'.repeat(60)}.`.repeat(5)}com` })],
  ['BYOI_REQUEST_INCOMPATIBLE_PARAMS', reinstall({ configDriveMetadata: { a: 'b' }, ConfigDriveMetadata: { a: 'b' } })],
  ['BYOI_REQUEST_PROPERTY_NAME', reinstall({}, { properties: { x: 'y' } })],
  ['BYOI_REQUEST_OPERATING_SYSTEM', { operatingSystem: 'debian12_64', customizations: image }],
  ['BYOI_REQUEST_BODY', 'a JSON string, not an object'],
  ['BYOI_REQUEST_BODY', [1, 2]],
  ['BYOI_REQUEST_DISK_GROUP_MULTIPLE', reinstall({}, { storage: [{ diskGroupId: 1 }, { diskGroupId: 2 }] })],
  ['BYOI_REQUEST_NOT_APPLICABLE', reinstall({}, { storage: [{ diskGroupId: 1, hardwareRaid: [{ raidLevel: 1 }] }] })],
];

const installStartCases: Array<[ErrorCode, unknown]> = [
  ['BYOI_REQUEST_MISSING_CUSTOMIZATION', { templateName: 'byoi_64', userMetadata: [{ key: 'imageURL', value: image.imageURL }] }],
  ['BYOI_REQUEST_OPERATING_SYSTEM', { templateName: 'debian12_64', userMetadata: [] }],
];

function expectCatalogue(result: { status: number; body: unknown; text: string }, code: ErrorCode, message?: string): void {
  assert.equal(result.status, catalogue[code].status, `${code}: ${result.text}`);
  const body = result.body as { class: string; message: string };
  assert.equal(body.class, catalogue[code].class, code);
  if (message !== undefined) assert.equal(body.message, message, code);
  assert.deepEqual(Object.keys(body).sort(), ['class', 'message'], code);
}

function thrownBy(parse: (body: unknown) => unknown, body: unknown): { code: string; message: string } {
  try {
    parse(body);
  } catch (error) {
    if (isByoiError(error)) return error;
    throw error;
  }
  throw new Error('the parser accepted the body');
}

for (const leg of databaseLegs()) {
  describe(`validation errors through the API (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let alice: Tenant;
    let serverName: string;
    const base = () => `/1.0/dedicated/server/${serverName}`;

    before(async () => {
      control = await startControl(leg);
      alice = await control.tenant('alice');
      serverName = (
        await control.server('alice', {
          diskGroups: [
            { diskType: 'NVMe', disks: [{ sizeBytes: 4 * 1024 ** 3 }] },
            { diskGroupId: 7, diskType: 'HDD', disks: [{ sizeBytes: 16 * 1024 ** 3 }, { sizeBytes: 16 * 1024 ** 3 }] },
          ],
        })
      ).serviceName;
    });
    after(async () => control?.close());

    test('every request-validation code of the catalogue comes back with its class, status and message, and no task is created', async () => {
      const seen = new Set<string>();
      for (const [route, parse, cases] of [
        ['reinstall', parseReinstallBody, reinstallCases],
        ['install/start', parseInstallStartBody, installStartCases],
      ] as const) {
        for (const [code, body] of cases) {
          const expected = thrownBy(parse, body);
          assert.equal(expected.code, code, `the case meant for ${code} gives ${expected.code}`);
          const result = await control.call(alice.keys, 'POST', `${base()}/${route}`, { body });
          expectCatalogue(result, code, expected.message);
          seen.add(code);
        }
      }
      // The disk group is checked against the server, after the contract.
      const unknownGroup = await control.call(alice.keys, 'POST', `${base()}/reinstall`, { body: reinstall({}, { storage: [{ diskGroupId: 3 }] }) });
      expectCatalogue(unknownGroup, 'BYOI_REQUEST_DISK_GROUP', `Disk group 3 could not be found on server ${serverName}`);
      seen.add('BYOI_REQUEST_DISK_GROUP');

      const requestCodes = Object.keys(catalogue).filter((code) => code.startsWith('BYOI_REQUEST_'));
      assert.deepEqual(requestCodes.filter((code) => !seen.has(code)), [], 'catalogue request codes without an API test');
      assert.deepEqual((await control.call(alice.keys, 'GET', `${base()}/task`)).body, []);
    });

    test('request errors outside the contract: JSON, media type, size, parameters, unknown routes and ids', async () => {
      expectCatalogue(await control.call(alice.keys, 'POST', `${base()}/reinstall`, { rawBody: '{"operatingSystem":' }), 'BYOI_REQUEST_BODY');
      expectCatalogue(
        await control.call(alice.keys, 'POST', `${base()}/reinstall`, { rawBody: 'operatingSystem=byoi_64', headers: { 'content-type': 'text/plain' } }),
        'BYOI_API_MEDIA_TYPE',
      );
      expectCatalogue(await control.call(alice.keys, 'POST', `${base()}/reinstall`, { rawBody: JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }) }), 'BYOI_API_BODY_TOO_LARGE');
      expectCatalogue(await control.call(alice.keys, 'GET', `${base()}/task/abc`), 'BYOI_API_INVALID_PARAMETER');
      expectCatalogue(await control.call(alice.keys, 'PUT', base(), { body: { bootId: 'one' } }), 'BYOI_API_INVALID_PARAMETER');
      expectCatalogue(await control.call(alice.keys, 'GET', '/1.0/dedicated/nothing'), 'BYOI_API_ROUTE_NOT_FOUND', 'Got an invalid (or empty) URL');
      expectCatalogue(await control.call(alice.keys, 'GET', `${base()}/task/424242`), 'BYOI_API_TASK_NOT_FOUND', 'The requested object (taskId = 424242) does not exist');
      expectCatalogue(await control.call(alice.keys, 'GET', `${base()}/boot/99`), 'BYOI_API_BOOT_NOT_FOUND', 'The requested object (bootId = 99) does not exist');
      expectCatalogue(await control.call(alice.keys, 'PUT', base(), { body: { bootId: 99 } }), 'BYOI_API_BOOT_NOT_FOUND');
      expectCatalogue(await control.call(alice.keys, 'PUT', base(), { body: { efiBootloaderPath: 'no backslash' } }), 'BYOI_REQUEST_INVALID_FORMAT');
      expectCatalogue(await control.call(alice.keys, 'GET', `${base()}/install/status`), 'BYOI_API_NOT_INSTALLING', 'Server is not being installed or reinstalled at the moment');
    });

    test('a second install while one runs is 400 TaskAlreadyExists with OVH\'s message; cancelling frees the server', async () => {
      const first = await control.call(alice.keys, 'POST', `${base()}/reinstall`, { body: reinstall({ hostname: 'first' }, { storage: [{ diskGroupId: 7 }] }) });
      assert.equal(first.status, 200, first.text);
      const task = first.body as { taskId: number };
      assert.deepEqual(Object.keys(first.body as object).sort(), ['comment', 'doneDate', 'function', 'lastUpdate', 'startDate', 'status', 'taskId']);

      const second = await control.call(alice.keys, 'POST', `${base()}/reinstall`, { body: reinstall({ hostname: 'second' }) });
      expectCatalogue(second, 'BYOI_TASK_ALREADY_EXISTS', `Task ${task.taskId} of type reinstallServer with status init is already running on server ${serverName}`);
      const viaStart = await control.call(alice.keys, 'POST', `${base()}/install/start`, {
        body: { templateName: 'byoi_64', userMetadata: [{ key: 'imageURL', value: image.imageURL }, { key: 'imageType', value: 'raw' }] },
      });
      expectCatalogue(viaStart, 'BYOI_TASK_ALREADY_EXISTS');
      expectCatalogue(await control.call(alice.keys, 'POST', `${base()}/reboot`), 'BYOI_TASK_ALREADY_EXISTS');

      // The chosen disk group's first disk is the target.
      const stored = await control.app.tasks.get(task.taskId);
      assert.deepEqual(stored?.targetDisk, { diskGroupId: 7, sizeBytes: 16 * 1024 ** 3 });

      assert.equal((await control.call(alice.keys, 'POST', `${base()}/task/${task.taskId}/cancel`)).status, 200);
      // Another timestamp: the same signed POST within the window would be refused as a replay. Five seconds back,
      // not one: `now - 1` equals the first call's timestamp when a second ticked between the two calls.
      const again = { timestamp: Math.floor(Date.now() / 1000) - 5 };
      expectCatalogue(await control.call(alice.keys, 'POST', `${base()}/task/${task.taskId}/cancel`, again), 'BYOI_TASK_NOT_CANCELLABLE', `Task ${task.taskId} cannot be cancelled: its status is cancelled`);
      const started = await control.call(alice.keys, 'POST', `${base()}/install/start`, {
        body: { templateName: 'byoi_64', details: { customHostname: 'via-start' }, userMetadata: [{ key: 'imageURL', value: image.imageURL }, { key: 'imageType', value: 'raw' }, { key: 'httpHeaders0Key', value: 'Authorization' }, { key: 'httpHeaders0Value', value: 'Bearer t' }] },
      });
      assert.equal(started.status, 200, started.text);
      assert.equal((started.body as { comment: string }).comment, 'Start dedicated server installation');
      assert.equal((started.body as { needSchedule: boolean }).needSchedule, false);
      // Default disk group: the lowest id.
      assert.equal((await control.app.tasks.get((started.body as { taskId: number }).taskId))?.targetDisk?.diskGroupId, 1);
    });
  });
}
