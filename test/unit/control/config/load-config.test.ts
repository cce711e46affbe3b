import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { databaseUrlOf, loadConfig, workerCountOf } from '../../../../src/control/config/load-config.ts';

const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'byoi-config-'));
  made.push(dir);
  return dir;
};
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

test('loadConfig() applies defaults, then the file, then BYOI_* variables, then flags', () => {
  const dir = tempDir();
  const file = join(dir, 'byoi.yaml');
  writeFileSync(file, 'port: 9000\nhost: 0.0.0.0\nauth:\n  clockSkewSeconds: 60\n');
  const config = loadConfig({ file, env: { BYOI_PORT: '9100', BYOI_DEV_TLS: 'yes' }, flags: { host: '127.0.0.2', dataDir: dir } });
  assert.equal(config.port, 9100);
  assert.equal(config.host, '127.0.0.2');
  assert.equal(config.auth.clockSkewSeconds, 60);
  assert.equal(config.tls.dev, true);
  assert.equal(config.tasks.leaseSeconds, 120);
  assert.equal(databaseUrlOf(config), `sqlite:${join(dir, 'byoi.db')}`);
  assert.equal(databaseUrlOf(loadConfig({ env: { DATABASE_URL: 'postgres://u@h/d' } })), 'postgres://u@h/d');
});

test('loadConfig() names the key, its source and the problem', () => {
  assert.throws(() => loadConfig({ env: { BYOI_PORT: '80a' } }), { code: 'BYOI_CONFIG_INVALID', message: 'Invalid configuration: port (from BYOI_PORT) must be an integer, got "80a"' });
  assert.throws(() => loadConfig({ flags: { port: 70000 } }), { message: /^Invalid configuration: port \(from --port\) must be <= 65535/ });
  assert.throws(() => loadConfig({ flags: { colour: 'blue' } }), { message: 'Invalid configuration: colour (from --colour) is not a known key (see docs/OPERATIONS.md)' });
  assert.throws(() => loadConfig({ env: { BYOI_DATABASE: 'mysql://x' } }), { message: /^Invalid configuration: database \(from BYOI_DATABASE\) must match pattern/ });
  assert.throws(() => loadConfig({ flags: { 'tls.cert': '/x.pem' } }), { message: /tls\.key/ });
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.yaml'), 'tasks:\n  leaseSeconds: 1\n');
  assert.throws(() => loadConfig({ file: join(dir, 'bad.yaml') }), { message: /^Invalid configuration: tasks\.leaseSeconds \(from .*bad\.yaml\) must be >= 5/ });
});

test('loadConfig() takes workers as a count or auto, from the file, BYOI_WORKERS or --workers', () => {
  assert.equal(loadConfig().workers, 1);
  assert.equal(workerCountOf(loadConfig()), 1);
  assert.equal(loadConfig({ env: { BYOI_WORKERS: '3' } }).workers, 3);
  assert.equal(workerCountOf(loadConfig({ env: { BYOI_WORKERS: 'auto' } })), availableParallelism());
  const dir = tempDir();
  writeFileSync(join(dir, 'byoi.yaml'), 'workers: auto\n');
  assert.equal(loadConfig({ file: join(dir, 'byoi.yaml'), flags: { workers: 2 } }).workers, 2);
  assert.throws(() => loadConfig({ env: { BYOI_WORKERS: 'many' } }), { message: /^Invalid configuration: workers \(from BYOI_WORKERS\)/ });
  assert.throws(() => loadConfig({ flags: { workers: 0 } }), { message: /^Invalid configuration: workers \(from --workers\)/ });
});
