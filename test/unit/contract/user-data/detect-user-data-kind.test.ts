import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectUserDataKind } from '../../../../src/contract/user-data/detect-user-data-kind.ts';

test('detectUserDataKind() takes the longest cloud-init header first, ignoring case and leading whitespace', () => {
  const cases: Array<[string, string | null]> = [
    ['#cloud-config\na: 1', 'cloud-config'],
    ['#cloud-config-archive\n- type: text/cloud-config', 'cloud-config-archive'],
    ['#cloud-config-jsonp\n[]', 'cloud-config-jsonp'],
    ['  #Cloud-Config\na: 1', 'cloud-config'],
    ['#!/bin/sh\necho hi', 'script'],
    ['#include\nhttps://example.com/a', 'include'],
    ['#include-once\nhttps://example.com/a', 'include-once'],
    ['#cloud-boothook\n#!/bin/sh', 'cloud-boothook'],
    ['#part-handler\ndef list_types(): pass', 'part-handler'],
    ['## template: jinja\n#cloud-config\na: {{ v1.local_hostname }}', 'jinja-template'],
    ['# a plain comment\na: 1', null],
    ['a: 1', null],
  ];
  for (const [text, kind] of cases) assert.equal(detectUserDataKind(text), kind, text);
});

test('detectUserDataKind() recognises a MIME document by its headers and MIME-Version', () => {
  const mime = 'Content-Type: multipart/mixed; boundary="XX"\nMIME-Version: 1.0\n\n--XX\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--XX--\n';
  assert.equal(detectUserDataKind(mime), 'mime-multipart');
  assert.equal(detectUserDataKind('Content-Type: multipart/mixed; boundary="XX"\n\n--XX--\n'), null);
  assert.equal(detectUserDataKind('MIME-Version: 1.0\nX-Other: 1\n\nbody'), null);
});
