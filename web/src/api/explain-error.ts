import { catalogue, isErrorCode, type ErrorCode } from '../../../src/contract/errors/catalogue.ts';
import { fillTemplate } from '../../../src/contract/errors/byoi-error.ts';

/** A failure as the panel explains it: the catalogue message and, when the catalogue has one, its solution. */
export interface Explained {
  code: ErrorCode | null;
  message: string;
  solution: string | null;
}

/**
 * Finds the solution of a failure from what the API reports: the error code (SSE task.status carries it) or
 * only the message (task comments and install/status steps). The message's placeholders are read back by
 * matching it against the catalogue's template, so a solution such as "Change the value of imageType to
 * {found}" is filled with the same values.
 */
export function explainError(message: string, code?: string | null): Explained {
  const candidates: ErrorCode[] = code !== undefined && code !== null && isErrorCode(code) ? [code] : (Object.keys(catalogue) as ErrorCode[]);
  for (const candidate of candidates) {
    const entry = catalogue[candidate];
    const params = matchTemplate(entry.message, message);
    if (params === null) continue;
    const solution = 'solution' in entry && entry.solution !== undefined ? fillTemplate(entry.solution, params) : null;
    return { code: candidate, message, solution };
  }
  return { code: null, message, solution: null };
}

/** The placeholder values that turn `template` into `message`, or null when it does not fit. */
function matchTemplate(template: string, message: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[A-Za-z0-9]+\})/)
    .map((part) => {
      const name = /^\{([A-Za-z0-9]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([\\s\\S]+?)';
    })
    .join('');
  const match = new RegExp(`^${pattern}$`).exec(message);
  if (match === null) return null;
  return Object.fromEntries(names.map((name, index) => [name, match[index + 1] ?? '']));
}
