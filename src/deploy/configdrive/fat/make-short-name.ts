/** A generated 8.3 name and whether the long name needs LFN entries to survive. */
export interface ShortName {
  /** The 11-byte DIR_Name text: primary part space-padded to 8, extension space-padded to 3. */
  name11: string;
  /** True when the long name differs from the short one as displayed (`NAME.EXT`), case included. */
  needsLongName: boolean;
}

/**
 * Characters a short name may hold besides A-Z and 0-9 (fatgen103 "Directory Structure": DIR_Name; the space is
 * legal there but byoi strips it, as the basis-name algorithm does).
 */
const shortNameSpecials = "!#$%&'()-@^_`{}~";
/** The numeric tail goes up to ~999999 (fatgen103 "Numeric-Tail Generation Algorithm"). */
const maxNumericTail = 999999;

/**
 * Makes the 8.3 name of `longName` in a directory whose other short names (11-character keys) are in `taken`,
 * following fatgen103's "Basis-Name Generation Algorithm" and "Numeric-Tail Generation Algorithm":
 * upper-case, replace characters a short name cannot hold with `_`, strip spaces and leading periods, keep 8
 * characters before the last period and 3 after it, and add `~n` (n from 1 up) when that lost anything or the
 * name is taken. Non-ASCII characters become `_` (byoi does not depend on an OEM code page). Adds the result to
 * `taken`.
 *
 * @example
 * ```ts
 * makeShortName('meta_data.json', new Set()); // { name11: 'META_D~1JSO', needsLongName: true }
 * makeShortName('latest', new Set());         // { name11: 'LATEST     ', needsLongName: true }
 * ```
 */
export function makeShortName(longName: string, taken: Set<string>): ShortName {
  let lossy = false;
  // Strip all spaces and leading periods; the last period left separates primary part and extension.
  let stripped = longName.replace(/ /g, '');
  stripped = stripped.replace(/^\.+/, '');
  const lastDot = stripped.lastIndexOf('.');
  const primarySource = lastDot < 0 ? stripped : stripped.slice(0, lastDot);
  const extensionSource = lastDot < 0 ? '' : stripped.slice(lastDot + 1);

  const primaryChars: string[] = [];
  for (const char of primarySource) {
    if (char === '.') {
      lossy = true; // an embedded period cannot be kept
      continue;
    }
    const mapped = mapChar(char);
    if (mapped === '_' && char !== '_') lossy = true;
    primaryChars.push(mapped);
  }
  const extensionChars: string[] = [];
  for (const char of extensionSource) {
    const mapped = mapChar(char);
    if (mapped === '_' && char !== '_') lossy = true;
    extensionChars.push(mapped);
  }
  if (primaryChars.length === 0) {
    lossy = true;
    primaryChars.push('_');
  }
  const primary = primaryChars.slice(0, 8).join('');
  const extension = extensionChars.slice(0, 3).join('');
  const display = extension === '' ? primary : `${primary}.${extension}`;
  const exact = !lossy && display === asciiUpperCase(longName);

  let chosenPrimary = primary;
  if (!exact || taken.has(key(primary, extension))) {
    let n = 1;
    for (; n <= maxNumericTail; n++) {
      const tail = `~${n}`;
      chosenPrimary = primary.slice(0, 8 - tail.length) + tail;
      if (!taken.has(key(chosenPrimary, extension))) break;
    }
    if (n > maxNumericTail) throw new RangeError(`Cannot make a short name for "${longName}": every numeric tail is taken`);
  }
  const name11 = key(chosenPrimary, extension);
  taken.add(name11);
  const chosenDisplay = extension === '' ? chosenPrimary : `${chosenPrimary}.${extension}`;
  return { name11, needsLongName: chosenDisplay !== longName };
}

function key(primary: string, extension: string): string {
  return primary.padEnd(8, ' ') + extension.padEnd(3, ' ');
}

/** Upper-cases a-z only, so the comparison does not depend on locale rules for other letters. */
function asciiUpperCase(text: string): string {
  return text.replace(/[a-z]/g, (c) => c.toUpperCase());
}

function mapChar(char: string): string {
  if (char >= 'a' && char <= 'z') return char.toUpperCase();
  if ((char >= 'A' && char <= 'Z') || (char >= '0' && char <= '9') || shortNameSpecials.includes(char)) return char;
  return '_';
}
