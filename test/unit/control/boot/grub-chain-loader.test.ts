import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../helpers/tools.ts';
import { createGrubChainLoader, grubEfiModuleDir } from '../../../../src/control/boot/grub-chain-loader.ts';
import { renderGrubChainConfig } from '../../../../src/control/boot/render-grub-config.ts';

test('renderGrubChainConfig() searches for the exact path, sets root, chainloads it and exits on failure', () => {
  const config = renderGrubChainConfig("\\EFI\\it's\\grubx64.efi");
  assert.match(config, /^set byoi_path='\/EFI\/it'\\''s\/grubx64\.efi'$/m);
  assert.match(config, /^if search --no-floppy --file --set=byoi_esp "\$byoi_path"; then$/m);
  assert.ok(config.indexOf('set root="$byoi_esp"') < config.indexOf('chainloader "$byoi_path"'));
  assert.match(config, /was not found on any disk/);
  assert.match(config, /\nexit 1\n$/);
  assert.match(renderGrubChainConfig(null), /set byoi_path='\/EFI\/BOOT\/BOOTX64\.EFI'/);
});

test('createGrubChainLoader() builds an EFI image once per config and reuses it', async (t) => {
  const dir = tempDir(t, 'byoi-grub-');
  const loader = createGrubChainLoader({ cacheDir: join(dir, 'grub') });
  if (!loader.available) {
    if (process.env.CI === 'true') throw new Error(`CI must install grub-efi-amd64-bin: ${loader.unavailableReason}`);
    t.skip(loader.unavailableReason ?? 'no GRUB');
    return;
  }
  assert.ok(existsSync(join(grubEfiModuleDir, 'normal.mod')));
  const [a, again] = await Promise.all([loader.build(renderGrubChainConfig('\\EFI\\a.efi')), loader.build(renderGrubChainConfig('\\EFI\\a.efi'))]);
  assert.equal(a.bytes.subarray(0, 2).toString('latin1'), 'MZ');
  assert.equal(a.path, again.path);
  const b = await loader.build(renderGrubChainConfig('\\EFI\\b.efi'));
  assert.notEqual(b.path, a.path);
  // A new builder on the same directory (a restart) finds the image on disk.
  const restarted = await createGrubChainLoader({ cacheDir: join(dir, 'grub') }).build(renderGrubChainConfig('\\EFI\\a.efi'));
  assert.equal(restarted.sha256, a.sha256);
  assert.equal(createGrubChainLoader({ cacheDir: dir, tool: undefined, moduleDir: join(dir, 'none') }).available, false);
});
