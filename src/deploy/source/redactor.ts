/** Secrets shorter than this are not searched for: they would mangle ordinary words and protect nothing. */
const minimumSecretLength = 4;

/** Removes known secrets from texts that are about to leave the source (error reasons, details, events). */
export interface Redactor {
  /** Adds a secret, for example the query string of a presigned URL met in a redirect. */
  add(secret: string): void;
  /** The text with every known secret replaced by `[redacted]`. */
  redact(text: string): string;
}

/**
 * Builds a redactor for header values, URL passwords and query strings. Every reason and detail the HTTP source
 * writes goes through it, so a server or library that echoes a request header back cannot leak it into a
 * customer-visible message.
 *
 * @example
 * ```ts
 * const redactor = createRedactor(['Bearer s3cr3t']);
 * redactor.redact('server said: bad token Bearer s3cr3t'); // 'server said: bad token [redacted]'
 * ```
 */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  const needles: string[] = [];
  const redactor: Redactor = {
    add(secret) {
      if (secret.length < minimumSecretLength || needles.includes(secret)) return;
      needles.push(secret);
      // Longest first, so a secret that contains another is replaced whole.
      needles.sort((a, b) => b.length - a.length);
    },
    redact(text) {
      let out = text;
      for (const needle of needles) out = out.split(needle).join('[redacted]');
      return out;
    },
  };
  for (const secret of secrets) redactor.add(secret);
  return redactor;
}
