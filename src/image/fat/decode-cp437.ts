// Code page 437, the OEM code page of the original IBM PC and the default of Linux's vfat driver
// (codepage=437). Short names and volume labels are stored in an OEM code page; byoi decodes them with 437.
// Bytes below 0x80 are ASCII; this string holds the characters for 0x80..0xFF in order.
const HIGH_HALF =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Decodes OEM bytes (code page 437) to a string, one character per byte. */
export function decodeCp437(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    text += byte < 0x80 ? String.fromCharCode(byte) : HIGH_HALF.charAt(byte - 0x80);
  }
  return text;
}

/** Number of characters in the table, for the test that checks it covers 0x80..0xFF. */
export const CP437_HIGH_HALF_LENGTH = HIGH_HALF.length;
