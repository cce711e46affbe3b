/** The cloud-init user-data formats byoi accepts (cloud-init docs, "User data formats"). */
export const userDataKinds = [
  'cloud-config',
  'cloud-config-archive',
  'cloud-config-jsonp',
  'script',
  'include',
  'include-once',
  'cloud-boothook',
  'part-handler',
  'jinja-template',
  'mime-multipart',
] as const;

/** One of userDataKinds. */
export type UserDataKind = (typeof userDataKinds)[number];

// cloud-init cloudinit/handlers/__init__.py INCLUSION_TYPES_MAP, searched longest prefix first (so
// #cloud-config-archive is not taken for #cloud-config) on the lower-cased text without leading whitespace,
// as type_from_starts_with() does. '#upstart-job' is left out: cloud-init dropped upstart.
const prefixes: ReadonlyArray<readonly [string, UserDataKind]> = [
  ['#cloud-config-archive', 'cloud-config-archive'],
  ['#cloud-config-jsonp', 'cloud-config-jsonp'],
  ['## template: jinja', 'jinja-template'],
  ['#cloud-boothook', 'cloud-boothook'],
  ['#include-once', 'include-once'],
  ['#part-handler', 'part-handler'],
  ['#cloud-config', 'cloud-config'],
  ['#include', 'include'],
  ['#!', 'script'],
];

/**
 * Tells which user-data format a text is, the way cloud-init does, or null when cloud-init would ignore it
 * ("Unhandled non-multipart userdata"). A MIME document counts when, as in cloud-init's convert_string(),
 * `mime-version:` appears in the first 4096 bytes; byoi also wants it to start with a header block that
 * has a Content-Type, or cloud-init would see a text/plain part it cannot use.
 */
export function detectUserDataKind(text: string): UserDataKind | null {
  if (isMimeDocument(text)) return 'mime-multipart';
  const head = text.slice(0, 64).trimStart().toLowerCase();
  for (const [prefix, kind] of prefixes) {
    if (head.startsWith(prefix)) return kind;
  }
  return null;
}

/** True when the text opens with an RFC 5322 header line (`Name: value`), the way a MIME document does. */
export function startsLikeMime(text: string): boolean {
  return /^[!-9;-~]+:/.test(text);
}

function isMimeDocument(text: string): boolean {
  if (!startsLikeMime(text)) return false;
  if (!text.slice(0, 4096).toLowerCase().includes('mime-version:')) return false;
  const headerEnd = text.search(/\r?\n\r?\n/);
  const headers = (headerEnd === -1 ? text : text.slice(0, headerEnd)).toLowerCase();
  return /(^|\n)content-type:/.test(headers);
}
