import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectOption, parseHeaderOptions } from '../../../src/cli/parse-header-option.ts';

const secret = 'byoi-secret-value';

test('parseHeaderOptions() splits "Name: value" at the first colon and trims both', () => {
  assert.deepEqual(parseHeaderOptions(['Authorization: Bearer a:b', 'X-Empty:', '  X-Trace :1  ']), [
    { name: 'Authorization', value: 'Bearer a:b' },
    { name: 'X-Empty', value: '' },
    { name: 'X-Trace', value: '1' },
  ]);
  assert.deepEqual(collectOption('b', collectOption('a', [])), ['a', 'b']);
});

test('parseHeaderOptions() refuses bad headers with the contract\'s rules, never repeating a value', () => {
  const refuse = (options: string[], pattern: RegExp): void => {
    assert.throws(() => parseHeaderOptions(options), (error: Error) => pattern.test(error.message) && !error.message.includes(secret));
  };
  refuse([`no colon ${secret}`], /expected "Name: value"/);
  refuse([`: ${secret}`], /expected "Name: value"/);
  refuse([`Bad Name: ${secret}`], /is not an HTTP field name/);
  refuse([`Host: ${secret}`], /the Host header cannot be set/);
  refuse([`X-A: ${secret}`, `x-a: ${secret}`], /given twice/);
  refuse([`X-A: ${secret}\u0001`], /holds a character HTTP header values cannot carry/);
});
