import { ByoiError } from '../errors/byoi-error.ts';
import { requestLimits } from '../request-limits.ts';
import type { HttpHeader } from './install-request.ts';
import { printable } from './printable.ts';

// Headers the download cannot carry from a customer, with the reason given to them (compared lower-case).
const refused = new Map<string, string>([
  ['host', 'it is taken from imageURL'],
  ['content-length', 'the download is a GET without a body, and framing headers would break it'],
  ['transfer-encoding', 'the download is a GET without a body, and framing headers would break it'],
  ['expect', 'the download is a GET without a body'],
  ['connection', 'hop-by-hop headers belong to the HTTP client'],
  ['keep-alive', 'hop-by-hop headers belong to the HTTP client'],
  ['proxy-connection', 'hop-by-hop headers belong to the HTTP client'],
  ['te', 'hop-by-hop headers belong to the HTTP client'],
  ['trailer', 'hop-by-hop headers belong to the HTTP client'],
  ['upgrade', 'hop-by-hop headers belong to the HTTP client'],
  ['range', 'byoi sets Range itself to probe and resume the download'],
  ['if-range', 'byoi sets Range itself to probe and resume the download'],
  ['if-match', 'a conditional request can be answered without the image (304 or 412)'],
  ['if-none-match', 'a conditional request can be answered without the image (304 or 412)'],
  ['if-modified-since', 'a conditional request can be answered without the image (304 or 412)'],
  ['if-unmodified-since', 'a conditional request can be answered without the image (304 or 412)'],
  ['accept-encoding', 'byoi needs the image bytes as stored, not re-encoded in transit'],
]);

// RFC 9110 5.6.2: token = 1*tchar.
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks one header name: an RFC 9110 token of at most requestLimits.httpHeaderNameMaxLength characters and
 * not one byoi must control itself (Host, Content-Length, Transfer-Encoding, Connection and the other
 * hop-by-hop headers, Range, If-Range, conditional headers, Accept-Encoding, Expect).
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name httpHeaders, type map)
 */
export function validateHttpHeaderName(name: string): string {
  if (name === '') throw invalid('a header name is empty');
  if (name.length > requestLimits.httpHeaderNameMaxLength) {
    throw invalid(`a header name is longer than ${requestLimits.httpHeaderNameMaxLength} characters`);
  }
  if (!token.test(name)) {
    throw invalid(
      `the header name ${printable(name)} is not an HTTP field name (RFC 9110 token: letters, digits and !#$%&'*+-.^_\`|~)`,
    );
  }
  const reason = refused.get(name.toLowerCase());
  if (reason !== undefined) throw invalid(`the ${name} header cannot be set: ${reason}`);
  return name;
}

/**
 * Checks one header value: no CR, LF or NUL (header injection), only characters an HTTP field value can
 * carry (tab, printable ASCII, and bytes 0x80-0xFF), at most requestLimits.httpHeaderValueMaxLength
 * characters. The value is a secret and never appears in the message.
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name httpHeaders, type map)
 */
export function validateHttpHeaderValue(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw invalid(`the value of the ${printable(name)} header holds a line break or a NUL character`);
  if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) {
    throw invalid(`the value of the ${printable(name)} header holds a character HTTP header values cannot carry`);
  }
  if (value.length > requestLimits.httpHeaderValueMaxLength) {
    throw invalid(`the value of the ${printable(name)} header is longer than ${requestLimits.httpHeaderValueMaxLength} characters`);
  }
  return value;
}

/**
 * Checks a list of headers: each name and value as above, at most requestLimits.httpHeadersMaxCount headers,
 * no name twice (ignoring case), names and values together at most requestLimits.httpHeadersMaxTotalLength.
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name httpHeaders, type map)
 */
export function validateHttpHeaders(headers: readonly HttpHeader[]): HttpHeader[] {
  if (headers.length > requestLimits.httpHeadersMaxCount) {
    throw invalid(`there are ${headers.length} headers; the limit is ${requestLimits.httpHeadersMaxCount}`);
  }
  const seen = new Set<string>();
  let total = 0;
  for (const { name, value } of headers) {
    validateHttpHeaderName(name);
    validateHttpHeaderValue(name, value);
    const folded = name.toLowerCase();
    if (seen.has(folded)) throw invalid(`the ${name} header is given twice (header names ignore case)`);
    seen.add(folded);
    total += name.length + value.length;
  }
  if (total > requestLimits.httpHeadersMaxTotalLength) {
    throw invalid(`the headers hold ${total} characters in all; the limit is ${requestLimits.httpHeadersMaxTotalLength}`);
  }
  return headers.map(({ name, value }) => ({ name, value }));
}

function invalid(msg: string): ByoiError {
  return new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'httpHeaders', type: 'map', msg });
}
