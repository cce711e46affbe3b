import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { toDeployError } from '../../../../src/deploy/pipeline/to-deploy-error.ts';
import { createRedactor } from '../../../../src/deploy/source/redactor.ts';

test('toDeployError() wraps a non-catalogue error in BYOI_INTERNAL, redacted, cause kept', () => {
  const cause = new TypeError('boom with Bearer s3cr3t-token inside');
  const error = toDeployError(cause, 'write', undefined, createRedactor(['Bearer s3cr3t-token']));
  assert.equal(error.code, 'BYOI_INTERNAL');
  assert.equal(error.message, 'An internal error occurred while writing the image');
  assert.equal(error.fault, 'provider');
  assert.equal(error.detail, 'TypeError: boom with [redacted] inside');
  assert.equal(error.cause, cause);
});

test('toDeployError() keeps catalogue errors and turns anything after an abort into BYOI_DEPLOY_CANCELLED', () => {
  const known = new ByoiError('BYOI_GPT_MOVE_FAILED');
  assert.equal(toDeployError(known, 'gpt', undefined, createRedactor()), known);
  assert.equal(toDeployError(new Error('socket closed'), 'write', AbortSignal.abort(), createRedactor()).code, 'BYOI_DEPLOY_CANCELLED');
});
