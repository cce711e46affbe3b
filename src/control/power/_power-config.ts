import { ByoiError } from '../../contract/errors/byoi-error.ts';

// Small readers for the power drivers' validateConfig(): each throws BYOI_API_INVALID_VALUE naming
// `powerDriver.config.KEY`, so a typo is refused when the server is registered, not during an install.

function invalid(key: string, reason: string): ByoiError {
  return new ByoiError('BYOI_API_INVALID_VALUE', { name: `powerDriver.config.${key}`, reason });
}

export function requireString(config: Record<string, unknown>, key: string, check?: (value: string) => string | undefined): string {
  const value = config[key];
  if (typeof value !== 'string' || value === '') throw invalid(key, 'is required (a non-empty string)');
  const problem = check?.(value);
  if (problem !== undefined) throw invalid(key, problem);
  return value;
}

export function optionalString(config: Record<string, unknown>, key: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(key, 'must be a non-empty string');
  return value;
}

export function optionalInteger(config: Record<string, unknown>, key: string, min: number, max: number, fallback: number): number {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(key, `must be an integer from ${min} to ${max}`);
  return value;
}

export function optionalBoolean(config: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalid(key, 'must be true or false');
  return value;
}

export function optionalEnum<T extends string>(config: Record<string, unknown>, key: string, values: readonly T[], fallback: T): T {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw invalid(key, `must be one of ${values.join(', ')}`);
  return value as T;
}

/** Refuses keys the driver does not know (a misspelt `pasword` would otherwise be silently ignored). */
export function refuseUnknownKeys(config: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) throw invalid(key, `is not a setting of this driver (known: ${known.join(', ')})`);
  }
}
