import { ByoiError } from '../errors/byoi-error.ts';
import { decodeStrictBase64, encodeBase64 } from '../encoding/decode-strict-base64.ts';
import { sha256 } from '../encoding/sha256.ts';
import { requestLimits } from '../request-limits.ts';
import { describeNonPublicKey } from './_describe-non-public-key.ts';
import { isPointOnCurve } from './_ec-point.ts';
import { bitLength, readWireMpint, readWireString, wireText, WireFormatError, type WireCursor } from './_ssh-wire.ts';

/** The public key types byoi accepts, as written before the base64 data (and inside it). */
export const sshKeyTypes = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** One of sshKeyTypes. */
export type SshKeyType = (typeof sshKeyTypes)[number];

/** A parsed, validated OpenSSH public key. Public keys are not secrets. */
export interface SshPublicKey {
  type: SshKeyType;
  /** The key blob in canonical base64, as given. */
  base64: string;
  /** Whatever followed the key data on the line, or null. */
  comment: string | null;
  /** Size as `ssh-keygen -l` prints it: the RSA modulus, the curve size, 256 for ed25519. */
  bits: number;
  /** `SHA256:` + unpadded base64 of SHA-256 over the blob, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** `type base64 [comment]`: the line that goes into authorized_keys and the config drive. */
  authorizedKey: string;
}

interface Curve {
  name: 'nistp256' | 'nistp384' | 'nistp521';
  coordinateBytes: number;
  bits: number;
}

const curves: Record<string, Curve> = {
  nistp256: { name: 'nistp256', coordinateBytes: 32, bits: 256 },
  nistp384: { name: 'nistp384', coordinateBytes: 48, bits: 384 },
  nistp521: { name: 'nistp521', coordinateBytes: 66, bits: 521 },
};

const betterKey = 'generate one with ssh-keygen -t ed25519';

/**
 * Parses one OpenSSH public key line (`type base64 [comment]`) with an in-house parser: strict base64, the
 * type inside the blob equal to the text prefix, every field checked (RSA modulus >= 2048 bits, ECDSA curve
 * name and point, ed25519 key length), no trailing bytes. authorized_keys options before the type are
 * refused: byoi takes a key, not an authorized_keys policy line. Surrounding whitespace is ignored. Pure
 * TypeScript (SHA-256 and the curve check included), so the web panel runs exactly this function.
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name sshKey, type sshPubKey) saying what is wrong; private
 *   keys pasted by mistake are named as such and never echoed.
 * @example
 * parseSshKey('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… me@laptop').fingerprint // 'SHA256:…'
 */
export function parseSshKey(value: string): SshPublicKey {
  const nonPublic = describeNonPublicKey(value);
  if (nonPublic !== null) throw invalid(nonPublic);
  if (value.length > requestLimits.sshKeyMaxLength) {
    throw invalid(`it is ${value.length} characters long; the limit is ${requestLimits.sshKeyMaxLength}`);
  }
  const text = value.trim();
  if (text === '') throw invalid('it is empty');
  if (/[\r\n]/.test(text)) throw invalid('it holds several lines; give exactly one public key, on one line');

  const tokens = text.split(/[ \t]+/);
  const typeText = tokens[0] as string;
  if (!isSshKeyType(typeText)) throw invalid(describeUnknownStart(typeText, tokens));

  const base64 = tokens[1];
  if (base64 === undefined) throw invalid('the base64 key data is missing after the key type');
  const decoded = decodeStrictBase64(base64);
  if (!decoded.ok) throw invalid(`the key data is not valid base64: ${decoded.reason}`);

  const afterData = text.slice(text.indexOf(base64, typeText.length) + base64.length).replace(/^[ \t]+/, '');
  const comment = afterData === '' ? null : afterData;
  if (comment !== null && /[\u0000-\u0008\u000a-\u001f\u007f]/.test(comment)) {
    throw invalid('the comment after the key data holds control characters');
  }

  const blob = decoded.bytes;
  let bits: number;
  try {
    bits = readBlob(blob, typeText);
  } catch (error) {
    if (error instanceof WireFormatError) throw invalid(error.message);
    throw error;
  }

  const fingerprint = `SHA256:${encodeBase64(sha256(blob)).replace(/=+$/, '')}`;
  const authorizedKey = comment === null ? `${typeText} ${base64}` : `${typeText} ${base64} ${comment}`;
  return { type: typeText, base64, comment, bits, fingerprint, authorizedKey };
}

/** True when `text` is one of the accepted key type names. */
export function isSshKeyType(text: string): text is SshKeyType {
  return (sshKeyTypes as readonly string[]).includes(text);
}

/** Reads the whole blob for `type` and returns its size in bits; throws WireFormatError. */
function readBlob(blob: Uint8Array, type: SshKeyType): number {
  const cursor: WireCursor = { bytes: blob, offset: 0 };
  const wireType = wireText(readWireString(cursor, 'key type'), 'key type');
  if (wireType !== type) {
    throw new WireFormatError(
      `the key data is a ${wireType.length > 40 ? 'different' : wireType} key but the line starts with ${type}; ` +
        'the type and the data must come from the same key',
    );
  }

  let bits: number;
  switch (type) {
    case 'ssh-ed25519':
      bits = readEd25519(cursor);
      break;
    case 'sk-ssh-ed25519@openssh.com':
      bits = readEd25519(cursor);
      readApplication(cursor);
      break;
    case 'ssh-rsa':
      bits = readRsa(cursor);
      break;
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      bits = readEcdsa(cursor, type.slice('ecdsa-sha2-'.length));
      break;
    case 'sk-ecdsa-sha2-nistp256@openssh.com':
      bits = readEcdsa(cursor, 'nistp256');
      readApplication(cursor);
      break;
  }

  const extra = blob.length - cursor.offset;
  if (extra !== 0) throw new WireFormatError(`the key data has ${extra} unexpected bytes after the end of the key`);
  return bits;
}

// RFC 8709 section 4: string "ssh-ed25519", string key (32 bytes).
function readEd25519(cursor: WireCursor): number {
  const key = readWireString(cursor, 'ed25519 public key');
  if (key.length !== 32) throw new WireFormatError(`the ed25519 public key is ${key.length} bytes; it must be 32`);
  return 256;
}

// RFC 4253 section 6.6: string "ssh-rsa", mpint e, mpint n.
function readRsa(cursor: WireCursor): number {
  const exponent = readWireMpint(cursor, 'RSA public exponent');
  const modulus = readWireMpint(cursor, 'RSA modulus');
  const lastExponentByte = exponent[exponent.length - 1] ?? 0;
  if (exponent.length === 0 || (lastExponentByte & 1) === 0 || (exponent.length === 1 && lastExponentByte === 1)) {
    throw new WireFormatError('the RSA public exponent is not an odd number greater than 1');
  }
  if (((modulus[modulus.length - 1] ?? 0) & 1) === 0) throw new WireFormatError('the RSA modulus is not odd');
  const bits = bitLength(modulus);
  if (bits < requestLimits.rsaMinBits) {
    throw new WireFormatError(
      `this ssh-rsa key is ${bits} bits; byoi requires at least ${requestLimits.rsaMinBits} bits: ${betterKey} (or ssh-keygen -t rsa -b 4096)`,
    );
  }
  if (bits > requestLimits.rsaMaxBits) {
    throw new WireFormatError(`this ssh-rsa key is ${bits} bits; OpenSSH accepts at most ${requestLimits.rsaMaxBits}`);
  }
  return bits;
}

// RFC 5656 section 3.1: string "ecdsa-sha2-<curve>", string <curve>, string Q (SEC1 uncompressed point).
function readEcdsa(cursor: WireCursor, curveName: string): number {
  const curve = curves[curveName] as Curve;
  const inner = wireText(readWireString(cursor, 'curve name'), 'curve name');
  if (inner !== curve.name) {
    throw new WireFormatError(`the curve inside the key data is ${inner.length > 40 ? 'another one' : inner}, not ${curve.name}`);
  }
  const point = readWireString(cursor, 'ECDSA public point');
  const expected = 1 + 2 * curve.coordinateBytes;
  // OpenSSH (sshbuf_get_ec) only takes uncompressed points: 0x04 || X || Y.
  if (point.length !== expected || point[0] !== 0x04) {
    throw new WireFormatError(
      `the ECDSA public point is ${point.length} bytes${point[0] === 0x04 ? '' : ' and not uncompressed'}; a ${curve.name} point is ${expected} bytes starting with 0x04`,
    );
  }
  const x = point.subarray(1, 1 + curve.coordinateBytes);
  const y = point.subarray(1 + curve.coordinateBytes);
  if (!isPointOnCurve(curve.name, x, y)) throw new WireFormatError(`the ECDSA public point is not on the ${curve.name} curve`);
  return curve.bits;
}

// OpenSSH PROTOCOL.u2f: security key public keys end with string application (a C string in OpenSSH).
function readApplication(cursor: WireCursor): void {
  const application = readWireString(cursor, 'security key application');
  if (application.includes(0)) throw new WireFormatError('the security key application holds a NUL byte');
}

function describeUnknownStart(first: string, tokens: readonly string[]): string {
  const refused = describeRefusedType(first);
  if (refused !== null) return refused;
  const typeLater = tokens.slice(1).some((token) => isSshKeyType(token) || describeRefusedType(token) !== null);
  if (typeLater) {
    return (
      'it starts with authorized_keys options (such as from=, command= or no-pty) before the key type; ' +
      'byoi accepts the key alone: type, base64 data and an optional comment'
    );
  }
  return `it does not start with a key type; accepted types: ${sshKeyTypes.join(', ')}`;
}

function describeRefusedType(type: string): string | null {
  if (type === 'ssh-dss') {
    return `DSA (ssh-dss) keys are refused: they are limited to 1024 bits and OpenSSH no longer accepts them; ${betterKey}`;
  }
  if (type.endsWith('-cert-v01@openssh.com')) {
    return 'this is an SSH certificate; give the plain public key it certifies';
  }
  if (type === 'ssh-ed448' || type.startsWith('x509v3-') || type.startsWith('ecdsa-sha2-') || type.startsWith('sk-')) {
    return `${type.length > 40 ? 'this key type' : type} is not accepted; accepted types: ${sshKeyTypes.join(', ')}`;
  }
  return null;
}

function invalid(msg: string): ByoiError {
  return new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'sshKey', type: 'sshPubKey', msg });
}
