/** The timestamp format of every store column: ISO 8601 UTC with milliseconds, which sorts as text. */
export function nowIso(now: number = Date.now()): string {
  return new Date(now).toISOString();
}
