import { ByoiError } from '../errors/byoi-error.ts';
import { requestLimits } from '../request-limits.ts';
import { printable } from './printable.ts';

/**
 * Checks imageURL and returns it unchanged: an absolute http or https URL of printable ASCII (spaces and
 * non-ASCII must be percent-encoded, hosts punycoded), no backslash, with a host, without user:password@
 * (credentials belong in httpHeaders, where they are kept secret), at most requestLimits.imageUrlMaxLength
 * characters. The message never repeats the URL: it may carry a token.
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name imageURL, type url)
 */
export function validateImageUrl(value: string): string {
  if (value.length > requestLimits.imageUrlMaxLength) {
    throw invalid(`it is ${value.length} characters long; the limit is ${requestLimits.imageUrlMaxLength}`);
  }
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x5c) throw invalid(`it holds a backslash at position ${i + 1}; URLs use forward slashes`);
    if (code < 0x21 || code > 0x7e) {
      throw invalid(
        `it holds ${describeChar(code)} at position ${i + 1}; write spaces and non-ASCII characters percent-encoded (%20) and host names in punycode`,
      );
    }
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1];
  if (scheme === undefined) throw invalid('it is not an absolute URL; it must start with http:// or https://');
  if (!/^https?$/i.test(scheme)) {
    throw invalid(`its scheme is ${printable(scheme, 16)}; byoi downloads images over http and https only`);
  }
  if (!value.slice(scheme.length + 1).startsWith('//')) {
    throw invalid(`it must start with ${scheme.toLowerCase()}:// followed by the host`);
  }
  const authority = value.slice(scheme.length + 3).split(/[/?#]/, 1)[0] ?? '';
  // WHATWG URL would read https:///a.raw as host "a.raw"; an empty authority is a mistake, not a host.
  if (authority === '') throw invalid('it has no host');
  if (authority.includes('@')) {
    throw invalid(
      'it holds a user name or password (user:password@host); remove them from the URL and pass them in httpHeaders instead, e.g. {"Authorization": "Basic <base64 of user:password>"}',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('it does not parse as a URL (check the host and the port)');
  }
  if (url.hostname === '') throw invalid('it has no host');
  return value;
}

function describeChar(code: number): string {
  if (code === 0x20) return 'a space';
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f)) {
    return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  }
  if (code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0x3000 || (code >= 0x2000 && code <= 0x200b)) {
    return `a Unicode space (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  }
  return `a non-ASCII character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

function invalid(msg: string): ByoiError {
  return new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'imageURL', type: 'url', msg });
}
