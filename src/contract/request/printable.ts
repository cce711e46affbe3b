/**
 * Makes a value the customer sent safe to echo in an error message: control characters become `?` (no log or
 * terminal injection) and long values are cut at `max` characters with an ellipsis.
 */
export function printable(value: string, max = 64): string {
  const cleaned = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  const chars = Array.from(cleaned); // code points, so a cut never splits a surrogate pair
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : cleaned;
}
