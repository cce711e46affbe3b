import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { UserDataKind } from './detect-user-data-kind.ts';

/**
 * Checks the text of a user-data document of a known kind the way cloud-init will read it, and returns why
 * it would fail, or null. YAML is parsed as YAML 1.1 (cloud-init uses PyYAML's safe_load). Duplicate keys
 * and unknown tags are refused: PyYAML would keep the last key silently or fail on the tag.
 */
export function checkUserDataText(text: string, kind: UserDataKind): string | null {
  switch (kind) {
    case 'cloud-config':
      return checkYaml(text, '#cloud-config', 'mapping');
    case 'cloud-config-archive':
      return checkYaml(text, '#cloud-config-archive', 'sequence');
    case 'cloud-config-jsonp':
      return checkJsonPatch(text);
    default:
      return null;
  }
}

function checkYaml(text: string, header: string, top: 'mapping' | 'sequence'): string | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', prettyErrors: false, lineCounter });
  const problem = doc.errors[0] ?? doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (problem !== undefined) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    return `the ${header} document is not valid YAML: line ${line}, column ${col}: ${yamlReason(problem.code, problem.message)}`;
  }
  if (doc.contents === null) return `the ${header} document is empty; give at least one setting after the header line`;
  if (top === 'mapping' && !isMap(doc.contents)) {
    return `the top level of a ${header} document must be a mapping (key: value lines), not a ${describeNode(doc.contents)}`;
  }
  if (top === 'sequence' && !isSeq(doc.contents)) {
    return `the top level of a ${header} document must be a list, not a ${describeNode(doc.contents)}`;
  }
  return null;
}

function yamlReason(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'it holds more than one YAML document (a second ---); cloud-init reads one';
  if (code === 'DUPLICATE_KEY') return 'a key appears twice in the same mapping';
  return message;
}

function describeNode(node: unknown): string {
  if (isSeq(node)) return 'list';
  if (isMap(node)) return 'mapping';
  return 'single value';
}

// cloud-init handlers/cloud_config.py: "#cloud-config-jsonp" is the header line, then a JSON Patch (RFC 6902) array.
function checkJsonPatch(text: string): string | null {
  const body = text.trimStart().replace(/^[^\n]*\n?/, '');
  try {
    if (Array.isArray(JSON.parse(body))) return null;
  } catch {
    return 'the #cloud-config-jsonp document is not valid JSON after the header line';
  }
  return 'a #cloud-config-jsonp document must hold a JSON Patch array after the header line';
}
