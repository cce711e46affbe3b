/**
 * What may be written into an iPXE script without the script changing meaning. iPXE (2019 and later) splits a
 * command line on spaces with no quoting, expands `${...}` anywhere, treats a `#` that starts a line as a
 * comment and `||` / `&&` tokens as command separators, so a value taken from the database (an EFI path, a
 * URL) goes into a script only when it is made of these characters. Callers that get `false` leave the
 * value out and say so in an `echo`.
 */
export function isIpxeSafe(value: string): boolean {
  return /^[A-Za-z0-9\\/._+~()\-,=@!%?:[\]]+$/.test(value) && !value.startsWith(':');
}

/**
 * An `echo` line. The text is byoi's own wording plus values that passed isIpxeSafe() or were normalised
 * (MACs, IP addresses, service names); anything that iPXE would expand or split on is replaced by `_` so a
 * stray character can never turn a message into a command.
 */
export function ipxeEcho(text: string): string {
  return `echo ${notEchoSafe.test(text) ? text.replace(notEchoSafeGlobal, '_') : text}`;
}

/** Anything but printable ASCII, `$`, `#`, `{`, `}`, `|` and `&`: one character class, tested before any replace. */
const notEchoSafe = /[^\x20-\x22\x25\x27-\x7a\x7e]/;
const notEchoSafeGlobal = new RegExp(notEchoSafe.source, 'g');
