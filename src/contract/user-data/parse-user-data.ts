import { ByoiError } from '../errors/byoi-error.ts';
import { decodeStrictBase64 } from '../encoding/decode-strict-base64.ts';
import { gunzip } from '../encoding/gunzip.ts';
import { requestLimits } from '../request-limits.ts';
import { checkUserDataText } from './_check-user-data-text.ts';
import { detectUserDataKind, startsLikeMime, type UserDataKind } from './detect-user-data-kind.ts';

/** configDriveUserData once validated. `bytes` is a secret: redact it from logs and previews. */
export interface UserData {
  /** Exactly what lands in openstack/latest/user_data: still gzip-compressed when it was sent compressed. */
  bytes: Uint8Array;
  /** The format of the (uncompressed) document. */
  kind: UserDataKind;
  /** How the request carried it; toReinstallBody() sends it back the same way. */
  encoding: 'base64' | 'text';
  /** True when `bytes` is a gzip stream (cloud-init gunzips it before reading). */
  gzip: boolean;
}

const accepted =
  'accepted: #cloud-config (YAML), a script starting with #!, #include, #include-once, #cloud-boothook, ' +
  '#part-handler, #cloud-config-archive, #cloud-config-jsonp, ## template: jinja, or a MIME multipart ' +
  'document, sent as clear text or base64 (cat file | base64 -w0), optionally gzip-compressed before base64';

/**
 * Validates configDriveUserData and returns the bytes for the config drive.
 *
 * Clear text or base64 is decided without guessing: every cloud-init header starts with `#` (or is a MIME
 * header line with a `:`), and neither character exists in base64. So text whose first non-blank character
 * is `#`, or that opens with a header line, is clear text; anything else must be strict base64 (line breaks
 * allowed, as `base64` without -w0 wraps at 76 columns). Base64 of gzip data is kept byte for byte and
 * checked after gunzip. The document must be UTF-8 without a byte order mark (it would hide the header from
 * cloud-init) and of a known kind; cloud-config must parse as YAML with a mapping at the top. Error messages
 * never quote the user data: it may hold secrets. Pure TypeScript (the gunzip too), so the web panel runs exactly
 * this function as the user types.
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name configDriveUserData, type text) or
 *   BYOI_REQUEST_SIZE_EXCEEDED (more than requestLimits.userDataMaxBytes stored, or
 *   userDataMaxUncompressedBytes after gunzip).
 */
export function parseUserData(value: string): UserData {
  if (value.trimStart().startsWith('#') || startsLikeMime(value) || value.startsWith('\ufeff')) {
    return parseClearText(value);
  }
  const compact = value.replace(/\r?\n/g, '');
  if (/^[A-Za-z0-9+/=]+$/.test(compact)) return parseBase64(compact);
  throw invalid(
    `it is neither a cloud-init user-data document (its first line is not a known header) nor base64 of one; ${accepted}`,
  );
}

function parseClearText(text: string): UserData {
  if (hasLoneSurrogate(text)) throw invalid('it holds unpaired UTF-16 surrogates, which are not text');
  const bytes = new TextEncoder().encode(text);
  checkSize(bytes.length, requestLimits.userDataMaxBytes);
  const kind = checkDocument(text, '');
  return { bytes, kind, encoding: 'text', gzip: false };
}

function parseBase64(compact: string): UserData {
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  checkSize(Math.floor(compact.length / 4) * 3 - padding, requestLimits.userDataMaxBytes);
  const decoded = decodeStrictBase64(compact);
  if (!decoded.ok) {
    throw invalid(`it is neither a cloud-init user-data document (no known header) nor valid base64 (${decoded.reason}); ${accepted}`);
  }
  const bytes = decoded.bytes;

  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  let document = bytes;
  if (gzip) {
    try {
      document = gunzip(bytes, { maxOutputLength: requestLimits.userDataMaxUncompressedBytes });
    } catch (error) {
      if ((error as { reason?: unknown }).reason === 'too-large') {
        throw new ByoiError('BYOI_REQUEST_SIZE_EXCEEDED', {
          length: `more than ${requestLimits.userDataMaxUncompressedBytes}`,
          limit: requestLimits.userDataMaxUncompressedBytes,
        });
      }
      throw invalid(`it is base64 of gzip data that does not decompress (${(error as Error).message})`);
    }
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(document);
  } catch {
    throw invalid(`it is base64 of ${gzip ? 'gzip data holding ' : ''}bytes that are not UTF-8 text; ${accepted}`);
  }
  const kind = checkDocument(text, gzip ? 'it is base64 of gzip data, and after gunzip ' : 'it is base64, and once decoded ');
  return { bytes, kind, encoding: 'base64', gzip };
}

/** Returns the document's kind or throws why cloud-init could not use it. `context` prefixes the reason. */
function checkDocument(text: string, context: string): UserDataKind {
  if (text.startsWith('\ufeff')) {
    throw invalid(`${context}it starts with a byte order mark, which hides the header from cloud-init; save it as UTF-8 without BOM`);
  }
  const kind = detectUserDataKind(text);
  if (kind === null) throw invalid(`${context}its first line is not a cloud-init user-data header; ${accepted}`);
  const problem = checkUserDataText(text, kind);
  if (problem !== null) throw invalid(`${context}${problem}`);
  return kind;
}

function checkSize(length: number, limit: number): void {
  if (length > limit) throw new ByoiError('BYOI_REQUEST_SIZE_EXCEEDED', { length, limit });
}

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

function invalid(msg: string): ByoiError {
  return new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'configDriveUserData', type: 'text', msg });
}
