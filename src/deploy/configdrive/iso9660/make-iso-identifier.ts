/** ISO 9660 level 1 limits (ECMA-119 10.1): 8 d-characters of name, 3 of extension; directories have no extension. */
const maxNameChars = 8;
const maxExtensionChars = 3;

/**
 * Makes the level 1 identifier of `name` for the primary hierarchy, unique among the `taken` keys of its
 * directory (name and extension without version): d-characters only (A-Z, 0-9, `_`; a-z upper-cased, anything
 * else `_`), 8 characters before the last period and 3 after it, ";1" after files (ECMA-119 7.5 and 9.1.11). A
 * clash replaces the end of the name with a number (`META_DA1`). Readers with Rock Ridge or Joliet show the
 * real name instead.
 *
 * @example
 * ```ts
 * makeIsoIdentifier('meta_data.json', false, new Set()); // 'META_DAT.JSO;1'
 * makeIsoIdentifier('openstack', true, new Set());       // 'OPENSTAC'
 * ```
 */
export function makeIsoIdentifier(name: string, isDirectory: boolean, taken: Set<string>): string {
  const lastDot = isDirectory ? -1 : name.lastIndexOf('.');
  const base = toDChars(lastDot < 0 ? name : name.slice(0, lastDot)).slice(0, maxNameChars);
  const extension = lastDot < 0 ? '' : toDChars(name.slice(lastDot + 1)).slice(0, maxExtensionChars);
  let chosen = base === '' && extension === '' ? '_' : base;
  for (let n = 1; taken.has(`${chosen}.${extension}`); n++) {
    const suffix = String(n);
    chosen = base.slice(0, maxNameChars - suffix.length) + suffix;
  }
  taken.add(`${chosen}.${extension}`);
  return isDirectory ? chosen : `${chosen}.${extension};1`;
}

function toDChars(text: string): string {
  let out = '';
  for (const char of text) {
    if (char >= 'a' && char <= 'z') out += char.toUpperCase();
    else if ((char >= 'A' && char <= 'Z') || (char >= '0' && char <= '9') || char === '_') out += char;
    else out += '_';
  }
  return out;
}
