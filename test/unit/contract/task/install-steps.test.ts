import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installStepComment, installSteps, isInstallStepId } from '../../../../src/contract/task/install-steps.ts';

test('installSteps lists the BYOI steps in order with stable ids and comments', () => {
  assert.deepEqual(
    installSteps.map((step) => [step.id, step.comment]),
    [
      ['reboot-installer', 'Rebooting into the installer'],
      ['check-image', 'Checking the image'],
      ['download-write', 'Downloading and writing the image'],
      ['verify-checksum', 'Verifying the checksum'],
      ['move-gpt', 'Moving the GPT backup to the end of the disk'],
      ['config-drive', 'Creating the config drive'],
      ['switch-boot', 'Switching boot'],
      ['last-reboot', 'Running last reboot'],
      ['first-boot', 'Waiting for first boot confirmation'],
    ],
  );
  assert.equal(new Set(installSteps.map((step) => step.id)).size, installSteps.length);
});

test('isInstallStepId() and installStepComment() look steps up by id', () => {
  assert.ok(isInstallStepId('move-gpt'));
  assert.equal(isInstallStepId('partitioning'), false);
  assert.equal(installStepComment('config-drive'), 'Creating the config drive');
});
