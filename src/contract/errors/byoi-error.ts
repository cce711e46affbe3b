import { catalogue, isErrorCode, type CatalogueEntry, type ErrorCode, type ErrorFault } from './catalogue.ts';

export type ErrorParams = Readonly<Record<string, string | number | bigint>>;

/** The plain-object form of an error, as it crosses process and HTTP boundaries. */
export interface ErrorRecord {
  code: ErrorCode;
  message: string;
  params: Record<string, string>;
  detail?: string;
}

/**
 * The one error class of byoi. Match on `err.code`, never on `instanceof`: the bundled agent and the control
 * plane each carry their own copy of this module.
 *
 * `message` is the catalogue message with its placeholders filled (customer-facing, word for word).
 * `detail` is an optional technical sentence for people who debug (never a secret).
 */
export class ByoiError extends Error {
  readonly code: ErrorCode;
  readonly params: Record<string, string>;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, params: ErrorParams = {}, options: { detail?: string; cause?: unknown } = {}) {
    const stringParams = stringify(params);
    super(fillTemplate(catalogue[code].message, stringParams), { cause: options.cause });
    this.name = 'ByoiError';
    this.code = code;
    this.params = stringParams;
    this.detail = options.detail;
  }

  get class(): string {
    return catalogue[this.code].class;
  }

  get status(): number {
    return catalogue[this.code].status;
  }

  get fault(): ErrorFault {
    return catalogue[this.code].fault;
  }

  /** The seed's "Solution" text with the same placeholders filled, when the entry has one. */
  get solution(): string | undefined {
    const entry: CatalogueEntry = catalogue[this.code];
    return entry.solution === undefined ? undefined : fillTemplate(entry.solution, this.params);
  }

  toRecord(): ErrorRecord {
    const record: ErrorRecord = { code: this.code, message: this.message, params: this.params };
    if (this.detail !== undefined) record.detail = this.detail;
    return record;
  }
}

/** Rebuilds an error from its record (for example a failure the agent reported over HTTP). */
export function errorFromRecord(record: { code: string; params?: Record<string, string>; detail?: string }): ByoiError {
  if (!isErrorCode(record.code)) {
    return new ByoiError('BYOI_DISK_IO', { device: 'unknown', reason: `unknown error code ${record.code}` });
  }
  return new ByoiError(record.code, record.params ?? {}, record.detail === undefined ? {} : { detail: record.detail });
}

/** True for any object carrying a catalogue code, whichever copy of this module made it. */
export function isByoiError(value: unknown): value is ByoiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'ByoiError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Replaces `{name}` with params.name; a placeholder without a param stays visible so the gap is noticed. */
export function fillTemplate(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z0-9]+)\}/g, (whole, name: string) => params[name] ?? whole);
}

function stringify(params: ErrorParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) out[key] = String(value);
  return out;
}
