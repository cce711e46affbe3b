/**
 * Reads a MAC address in any common notation and returns it as the fleet stores it (lower case, colon
 * separated, like server-spec.ts normaliseMac()): `52:54:00:12:34:56`, `52-54-00-12-34-56` (iPXE's
 * `${mac:hexhyp}`), `5254.0012.3456` (Cisco), `525400123456`, any case. Anything else gives undefined.
 *
 * @example
 * parseMac('52-54-00-AB-CD-EF') // '52:54:00:ab:cd:ef'
 */
export function parseMac(text: string): string | undefined {
  const value = text.trim().toLowerCase();
  let hex: string | undefined;
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/.test(value)) hex = value.replace(/[:-]/g, '');
  else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(value)) hex = value.replaceAll('.', '');
  else if (/^[0-9a-f]{12}$/.test(value)) hex = value;
  if (hex === undefined) return undefined;
  return hex.match(/../g)?.join(':');
}

/** `52:54:00:12:34:56` → `52-54-00-12-34-56`: the form byoi puts in URLs (no colon to escape anywhere). */
export function macForUrl(mac: string): string {
  return mac.replaceAll(':', '-');
}
