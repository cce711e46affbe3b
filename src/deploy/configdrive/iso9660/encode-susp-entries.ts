import { writeU32Both } from './_both-endian.ts';

// SUSP 1.12 section 4: every System Use entry starts with a 2-byte signature, a length byte (LEN) and a
// version byte; RRIP entries follow the same shape.
const SUSP_SIG = 0;
const SUSP_LEN = 2;
const SUSP_VER = 3;
const headerBytes = 4;

/** The largest SUSP entry (LEN is one byte). */
export const maxEntryBytes = 255;
/** Bytes of a CE entry, which byoi reserves when a record's entries overflow. */
export const ceEntryBytes = 28;

/** RRIP 1.10 section 4.3 (ER): the identifier, descriptor and source Rock Ridge volumes announce. */
const rripIdentifier = 'RRIP_1991A';
const rripDescriptor = 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS';
const rripSource =
  'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.';

/** RRIP TF flags (4.1.6): which timestamps follow, each in the 7-byte form unless LONG_FORM. */
const TF_MODIFY = 0x02;
const TF_ACCESS = 0x04;
const TF_ATTRIBUTES = 0x08;
/** RRIP NM flags (4.1.4): CONTINUE says the name goes on in the next NM entry. */
const NM_CONTINUE = 0x01;

function entry(signature: string, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes[SUSP_SIG] = signature.charCodeAt(0);
  bytes[SUSP_SIG + 1] = signature.charCodeAt(1);
  bytes[SUSP_LEN] = length;
  bytes[SUSP_VER] = 1;
  return bytes;
}

/** SUSP 5.3 "SP": first entry of the root's "." record; check bytes 0xBE 0xEF, LEN_SKP 0 (no bytes to skip). */
export function spEntry(): Uint8Array {
  const bytes = entry('SP', 7);
  bytes[4] = 0xbe;
  bytes[5] = 0xef;
  bytes[6] = 0;
  return bytes;
}

/** SUSP 5.1 "CE": the entries go on at `offset` in logical block `block`, for `length` bytes. */
export function ceEntry(block: number, offset: number, length: number): Uint8Array {
  const bytes = entry('CE', ceEntryBytes);
  writeU32Both(bytes, 4, block);
  writeU32Both(bytes, 12, offset);
  writeU32Both(bytes, 20, length);
  return bytes;
}

/** SUSP 5.5 "ER": announces the Rock Ridge extension (RRIP 1.10 identifier, extension version 1). */
export function erEntry(): Uint8Array {
  const bytes = entry('ER', 8 + rripIdentifier.length + rripDescriptor.length + rripSource.length);
  bytes[4] = rripIdentifier.length;
  bytes[5] = rripDescriptor.length;
  bytes[6] = rripSource.length;
  bytes[7] = 1;
  let at = 8;
  for (const text of [rripIdentifier, rripDescriptor, rripSource]) {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
    at += text.length;
  }
  return bytes;
}

/** RRIP 4.1.1 "PX" (1.10 form, 36 bytes): POSIX mode, link count, uid and gid, each both-endian. */
export function pxEntry(mode: number, links: number): Uint8Array {
  const bytes = entry('PX', 36);
  writeU32Both(bytes, 4, mode);
  writeU32Both(bytes, 12, links);
  writeU32Both(bytes, 20, 0);
  writeU32Both(bytes, 28, 0);
  return bytes;
}

/** RRIP 4.1.6 "TF": modification, access and attribute-change times, 7-byte form each. */
export function tfEntry(recordDateTime: Uint8Array): Uint8Array {
  const bytes = entry('TF', 5 + 3 * 7);
  bytes[4] = TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES;
  for (let i = 0; i < 3; i++) bytes.set(recordDateTime, 5 + i * 7);
  return bytes;
}

/**
 * RRIP 4.1.4 "NM": the name as bytes (byoi writes UTF-8), split over several entries with CONTINUE when it does
 * not fit in one.
 */
export function nmEntries(nameBytes: Uint8Array): Uint8Array[] {
  const perEntry = maxEntryBytes - headerBytes - 1;
  const entries: Uint8Array[] = [];
  for (let start = 0; start < nameBytes.length || entries.length === 0; start += perEntry) {
    const chunk = nameBytes.subarray(start, start + perEntry);
    const bytes = entry('NM', 5 + chunk.length);
    bytes[4] = start + perEntry < nameBytes.length ? NM_CONTINUE : 0;
    bytes.set(chunk, 5);
    entries.push(bytes);
  }
  return entries;
}
