/**
 * Reads a MAC address in any common notation and returns it as the fleet stores it (lower case, colon
 * separated, like server-spec.ts normaliseMac()): `52:54:00:12:34:56`, `52-54-00-12-34-56` (iPXE's
 * `${mac:hexhyp}`), `5254.0012.3456` (Cisco), `525400123456`, any case. Anything else gives undefined.
 *
 * @example
 * parseMac('52-54-00-AB-CD-EF') // '52:54:00:ab:cd:ef'
 */
export function parseMac(text: string): string | undefined {
  // Character by character: it runs for every boot script, and a regular expression with a back-reference,
  // a replace() and a split cost several times more.
  const value = text.trim().toLowerCase();
  switch (value.length) {
    case 17: {
      // xx:xx:xx:xx:xx:xx or xx-xx-xx-xx-xx-xx, one separator throughout.
      const separator = value.charCodeAt(2);
      if (separator !== colon && separator !== hyphen) return undefined;
      for (let i = 0; i < 17; i++) {
        if (i % 3 === 2 ? value.charCodeAt(i) !== separator : !isHexDigit(value.charCodeAt(i))) return undefined;
      }
      return separator === colon ? value : value.replaceAll('-', ':');
    }
    case 14:
      // xxxx.xxxx.xxxx
      for (let i = 0; i < 14; i++) {
        if (i % 5 === 4 ? value.charCodeAt(i) !== dot : !isHexDigit(value.charCodeAt(i))) return undefined;
      }
      return withColons(value.replaceAll('.', ''));
    case 12:
      for (let i = 0; i < 12; i++) if (!isHexDigit(value.charCodeAt(i))) return undefined;
      return withColons(value);
    default:
      return undefined;
  }
}

const colon = 0x3a;
const hyphen = 0x2d;
const dot = 0x2e;

/** 0-9 or a-f (the text is in lower case already). */
function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66);
}

/** 12 hex digits → six colon-separated pairs. */
function withColons(hex: string): string {
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

/** `52:54:00:12:34:56` → `52-54-00-12-34-56`: the form byoi puts in URLs (no colon to escape anywhere). */
export function macForUrl(mac: string): string {
  return mac.replaceAll(':', '-');
}
