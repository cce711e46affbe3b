/** A value JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialises `value` as JSON with object keys sorted by UTF-16 code unit (as Python's `sort_keys=True`),
 * two-space indentation and a final newline, so the same data always gives the same bytes. Non-ASCII text is
 * kept as is (the file is UTF-8). Throws TypeError on values JSON cannot hold (undefined, NaN, functions, ...).
 *
 * @example
 * ```ts
 * toCanonicalJson({ b: 1, a: [true, null] }) === '{\n  "a": [\n    true,\n    null\n  ],\n  "b": 1\n}\n';
 * ```
 */
export function toCanonicalJson(value: JsonValue): string {
  return `${serialise(value, '', '$')}\n`;
}

function serialise(value: unknown, indent: string, where: string): string {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Cannot write JSON: ${where} is ${value}`);
    return JSON.stringify(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) items.push(inner + serialise(value[i], inner, `${where}[${i}]`));
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    if (keys.length === 0) return '{}';
    const members: string[] = [];
    for (const key of keys) {
      members.push(`${inner}${JSON.stringify(key)}: ${serialise(record[key], inner, `${where}.${key}`)}`);
    }
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  throw new TypeError(`Cannot write JSON: ${where} is a ${typeof value}`);
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
