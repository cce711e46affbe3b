import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { Value } from 'typebox/value';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { ConfigSchema, type Config } from './config-schema.ts';

/** How a variable's text becomes a value; `count` is an integer or a word (workers: auto) for the schema to check. */
type Kind = 'string' | 'integer' | 'boolean' | 'count';

/** Where each configuration key came from, so an error can say which file line or variable to fix. */
type Sources = Map<string, string>;

/** Environment variables and the key each sets. Numbers and booleans are parsed by the schema's rules. */
const environment: ReadonlyArray<readonly [variable: string, key: string, kind: Kind]> = [
  ['BYOI_HOST', 'host', 'string'],
  ['BYOI_PORT', 'port', 'integer'],
  ['BYOI_WORKERS', 'workers', 'count'],
  ['BYOI_DATA_DIR', 'dataDir', 'string'],
  ['BYOI_DATABASE', 'database', 'string'],
  ['DATABASE_URL', 'database', 'string'],
  ['BYOI_PUBLIC_URL', 'publicUrl', 'string'],
  ['BYOI_SECRET_KEY', 'secretKey', 'string'],
  ['BYOI_DEV_TLS', 'tls.dev', 'boolean'],
  ['BYOI_TLS_CERT', 'tls.cert', 'string'],
  ['BYOI_TLS_KEY', 'tls.key', 'string'],
  ['BYOI_CLOCK_SKEW_SECONDS', 'auth.clockSkewSeconds', 'integer'],
  ['BYOI_SESSION_SECONDS', 'auth.sessionSeconds', 'integer'],
  ['BYOI_TRUST_PROXY', 'auth.trustProxy', 'boolean'],
  ['BYOI_LEASE_SECONDS', 'tasks.leaseSeconds', 'integer'],
  ['BYOI_INSTALLER_START_SECONDS', 'tasks.installerStartSeconds', 'integer'],
  ['BYOI_FIRST_BOOT_WAIT_SECONDS', 'tasks.firstBootWaitSeconds', 'integer'],
  ['BYOI_DEMO', 'demo', 'boolean'],
  ['BYOI_BOOT_URL', 'boot.url', 'string'],
  ['BYOI_BOOT_RESCUE_DIR', 'boot.rescueDir', 'string'],
  ['BYOI_BOOT_RESCUE_URL', 'boot.rescueUrl', 'string'],
  ['BYOI_BOOT_KERNEL_ARGS', 'boot.kernelArgs', 'string'],
  ['BYOI_BOOT_REQUIRE_SERVER_IP', 'boot.requireServerIp', 'boolean'],
  ['BYOI_BOOT_RETRY_SECONDS', 'boot.retrySeconds', 'integer'],
  ['BYOI_BOOT_GRUB_LOADER', 'boot.grubLoader', 'boolean'],
  ['BYOI_LOG_LEVEL', 'logLevel', 'string'],
];

export interface ConfigInputs {
  /** Path of a YAML or JSON file. */
  file?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  /** Command-line values, keyed like the file ("tls.dev"); undefined entries are ignored. */
  flags?: Readonly<Record<string, unknown>>;
}

/**
 * Builds the configuration and validates it against ConfigSchema. A problem throws BYOI_CONFIG_INVALID naming
 * the key, where its value came from and what is wrong, e.g.
 * "Invalid configuration: port (from BYOI_PORT) must be an integer, got "80a"".
 */
export function loadConfig(inputs: ConfigInputs = {}): Config {
  const sources: Sources = new Map();
  const merged: Record<string, unknown> = {};

  if (inputs.file !== undefined) {
    const fromFile = readConfigFile(inputs.file);
    for (const [key, value] of flatten(fromFile)) {
      setPath(merged, key, value);
      sources.set(key, inputs.file);
    }
  }

  const env = inputs.env ?? {};
  for (const [variable, key, kind] of environment) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    // DATABASE_URL is the common convention; BYOI_DATABASE wins when both are set.
    if (variable === 'DATABASE_URL' && env.BYOI_DATABASE) continue;
    setPath(merged, key, parseEnv(text, kind, variable, key));
    sources.set(key, variable);
  }

  for (const [key, value] of Object.entries(inputs.flags ?? {})) {
    if (value === undefined) continue;
    setPath(merged, key, value);
    sources.set(key, `--${key.replace(/([A-Z])/g, '-$1').toLowerCase().replace('.', '-')}`);
  }

  const withDefaults = Value.Default(ConfigSchema, structuredClone(merged)) as unknown;
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) {
    const first = errors[0] as { keyword: string; instancePath: string; message: string; params?: Record<string, unknown> };
    const key = keyOf(first);
    throw new ByoiError('BYOI_CONFIG_INVALID', {
      key,
      source: sources.get(key) ?? 'defaults',
      reason: describe(first, getPath(withDefaults, key)),
    });
  }
  const config = withDefaults as Config;
  if ((config.tls.cert === undefined) !== (config.tls.key === undefined)) {
    const key = config.tls.cert === undefined ? 'tls.cert' : 'tls.key';
    throw new ByoiError('BYOI_CONFIG_INVALID', { key, source: 'configuration', reason: 'is needed with tls.cert and tls.key together' });
  }
  if (config.tls.dev && config.tls.cert !== undefined) {
    throw new ByoiError('BYOI_CONFIG_INVALID', { key: 'tls.dev', source: sources.get('tls.dev') ?? 'configuration', reason: 'cannot be combined with tls.cert/tls.key' });
  }
  config.dataDir = resolve(config.dataDir);
  return config;
}

/** How many HTTP worker processes `byoi serve` runs: `auto` is one per CPU. */
export function workerCountOf(config: Config): number {
  return config.workers === 'auto' ? Math.max(1, availableParallelism()) : config.workers;
}

/** The database URL with the default applied: SQLite in the data directory. */
export function databaseUrlOf(config: Config): string {
  return config.database ?? `sqlite:${resolve(config.dataDir, 'byoi.db')}`;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ByoiError('BYOI_CONFIG_INVALID', { key: 'file', source: path, reason: `cannot be read: ${(error as Error).message}` });
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ByoiError('BYOI_CONFIG_INVALID', { key: 'file', source: path, reason: `is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}` });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ByoiError('BYOI_CONFIG_INVALID', { key: 'file', source: path, reason: 'must hold a mapping of keys to values' });
  }
  return parsed as Record<string, unknown>;
}

function flatten(object: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(object)) {
    const key = prefix + name;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push(...flatten(value as Record<string, unknown>, `${key}.`));
    else out.push([key, value]);
  }
  return out;
}

function parseEnv(text: string, kind: Kind, variable: string, key: string): unknown {
  if (kind === 'string') return text;
  if (kind === 'count') return /^\d+$/.test(text) ? Number(text) : text;
  if (kind === 'integer') {
    if (!/^-?\d+$/.test(text)) throw new ByoiError('BYOI_CONFIG_INVALID', { key, source: variable, reason: `must be an integer, got ${JSON.stringify(text)}` });
    return Number(text);
  }
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new ByoiError('BYOI_CONFIG_INVALID', { key, source: variable, reason: `must be true or false, got ${JSON.stringify(text)}` });
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function getPath(target: unknown, key: string): unknown {
  let node = target;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function keyOf(error: { instancePath: string; params?: Record<string, unknown> }): string {
  const base = error.instancePath.split('/').filter(Boolean).join('.');
  const extra = error.params?.additionalProperties ?? error.params?.requiredProperties;
  const name = Array.isArray(extra) ? extra[0] : undefined;
  return [base, typeof name === 'string' ? name : ''].filter(Boolean).join('.') || '(root)';
}

function describe(error: { keyword: string; message: string; params?: Record<string, unknown> }, value: unknown): string {
  // TypeBox reports an unknown key as the `false` schema of additionalProperties at the key's own path.
  if (error.keyword === 'boolean' || error.params?.additionalProperties !== undefined) return 'is not a known key (see docs/OPERATIONS.md)';
  const shown = value === undefined ? '' : `, got ${JSON.stringify(value)}`;
  return `${error.message}${shown}`;
}
