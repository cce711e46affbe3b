import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Value } from 'typebox/value';
import { isByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { isErrorCode } from '../../../../src/contract/errors/catalogue.ts';
import { collectInstallRequestErrors } from '../../../../src/contract/request/collect-install-request-errors.ts';
import { InstallStartBodySchema } from '../../../../src/contract/request/install-start-body-schema.ts';
import { parseInstallStartBody } from '../../../../src/contract/request/parse-install-start-body.ts';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';
import { ReinstallBodySchema } from '../../../../src/contract/request/reinstall-body-schema.ts';
import { installStartBodyArb, installStartPaths, mutate, mutationArb, reinstallBodyArb, reinstallPaths } from './_arbitraries.ts';

/** Runs a parser; returns 'ok' or the ByoiError code, and fails on any other exception. */
function outcome(parse: (body: unknown) => unknown, body: unknown): string {
  try {
    const request = parse(body) as { operatingSystem?: unknown };
    assert.equal(request.operatingSystem, 'byoi_64');
    return 'ok';
  } catch (error) {
    assert.ok(isByoiError(error), `not a ByoiError: ${String(error)}\n${(error as Error).stack}`);
    assert.ok(isErrorCode(error.code), `unknown code ${error.code}`);
    return error.code;
  }
}

test('parseReinstallBody() yields a request or a ByoiError for any JSON value', () => {
  fc.assert(fc.property(fc.jsonValue(), (body) => void outcome(parseReinstallBody, body)), { numRuns: 500 });
});

test('parseReinstallBody() yields a request or a ByoiError for mutated valid bodies', () => {
  fc.assert(
    fc.property(reinstallBodyArb, fc.array(mutationArb(reinstallPaths), { minLength: 1, maxLength: 3 }), (body, mutations) => {
      const mutated = mutate(body, mutations);
      const result = outcome(parseReinstallBody, mutated);
      // The first collected error is the one parse throws.
      const errors = collectInstallRequestErrors(mutated);
      assert.equal(result, errors[0]?.error.code ?? 'ok');
    }),
    { numRuns: 400 },
  );
});

test('parseInstallStartBody() yields a request or a ByoiError for any JSON value and mutated valid bodies', () => {
  fc.assert(fc.property(fc.jsonValue(), (body) => void outcome(parseInstallStartBody, body)), { numRuns: 300 });
  fc.assert(
    fc.property(installStartBodyArb, fc.array(mutationArb(installStartPaths), { minLength: 1, maxLength: 3 }), (body, mutations) => {
      void outcome(parseInstallStartBody, mutate(body, mutations));
    }),
    { numRuns: 300 },
  );
});

test('parseReinstallBody() accepts every generated valid body, and ReinstallBodySchema accepts it too', () => {
  fc.assert(
    fc.property(reinstallBodyArb, (body) => {
      assert.deepEqual(collectInstallRequestErrors(body), []);
      assert.equal(outcome(parseReinstallBody, body), 'ok');
      assert.ok(Value.Check(ReinstallBodySchema, body), JSON.stringify([...Value.Errors(ReinstallBodySchema, body)]));
    }),
    { numRuns: 200 },
  );
});

test('parseInstallStartBody() accepts every generated valid body, and InstallStartBodySchema accepts it too', () => {
  fc.assert(
    fc.property(installStartBodyArb, (body) => {
      assert.equal(outcome(parseInstallStartBody, body), 'ok');
      assert.ok(Value.Check(InstallStartBodySchema, body), JSON.stringify([...Value.Errors(InstallStartBodySchema, body)]));
    }),
    { numRuns: 200 },
  );
});

test('ReinstallBodySchema accepts every mutated body that parseReinstallBody() accepts', () => {
  fc.assert(
    fc.property(reinstallBodyArb, fc.array(mutationArb(reinstallPaths), { minLength: 1, maxLength: 2 }), (body, mutations) => {
      const mutated = mutate(body, mutations);
      if (outcome(parseReinstallBody, mutated) === 'ok') assert.ok(Value.Check(ReinstallBodySchema, mutated));
    }),
    { numRuns: 400 },
  );
});
