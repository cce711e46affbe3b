/**
 * The form of a URL that may appear in messages, events and logs: scheme, host, port and path only.
 *
 * Userinfo and the query string are dropped because they carry credentials (basic auth, presigned URLs
 * such as S3's `X-Amz-Signature`); the fragment is never sent anyway.
 *
 * @example
 * ```ts
 * displayUrl('https://user:pw@s3.example/bucket/img.qcow2?X-Amz-Signature=abc'); // 'https://s3.example/bucket/img.qcow2'
 * ```
 */
export function displayUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
