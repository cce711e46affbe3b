import { Type, type Static } from 'typebox';

/** One OVH access rule: an HTTP method and a path pattern where `*` matches any characters, `/` included. */
export const AccessRuleSchema = Type.Object(
  {
    method: Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('DELETE')]),
    path: Type.String({ minLength: 1, maxLength: 1024, pattern: '^/' }),
  },
  { additionalProperties: false },
);
export type AccessRule = Static<typeof AccessRuleSchema>;

/**
 * True when a rule grants `method` on `path` (the path after /1.0 or /v1, without the query string). OVH
 * semantics: `/dedicated/server/*` grants `/dedicated/server/a/task`, and `/*` grants everything.
 */
export function isGranted(rules: readonly AccessRule[], method: string, path: string): boolean {
  // HEAD follows GET's rules, as a HEAD is a GET without the body.
  const wanted = method === 'HEAD' ? 'GET' : method;
  return rules.some((rule) => rule.method === wanted && patternOf(rule.path).test(path));
}

const compiled = new Map<string, RegExp>();

function patternOf(path: string): RegExp {
  let regex = compiled.get(path);
  if (regex === undefined) {
    const body = path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    regex = new RegExp(`^${body}$`, 's');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(path, regex);
  }
  return regex;
}
