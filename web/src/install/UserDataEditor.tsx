import { useState } from 'react';
import { encodeBase64 } from '../../../src/contract/encoding/decode-strict-base64.ts';
import type { UserData } from '../../../src/contract/user-data/parse-user-data.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { describedBy, Field } from '../components/Field.tsx';
import { formatBytes } from '../format.ts';
import type { UserDataInput } from './install-form.ts';
import type { FieldProblem } from './validate-install-form.ts';

const cloudConfigExample = `#cloud-config
packages:
  - vim
  - tree
final_message: The system is finally up, after $UPTIME seconds
`;
const scriptExample = `#!/bin/bash
echo "Hi, sounds that BYOI is a success!" > /etc/motd
`;

const kindLabel: Record<string, string> = {
  'cloud-config': '#cloud-config (YAML)',
  script: 'script (#!)',
  'cloud-config-archive': '#cloud-config-archive',
  'cloud-config-jsonp': '#cloud-config-jsonp',
  include: '#include',
  'include-once': '#include-once',
  'cloud-boothook': '#cloud-boothook',
  'part-handler': '#part-handler',
  'jinja-template': 'jinja template',
  'mime-multipart': 'MIME multipart',
};

/**
 * The config drive user data: an editor for a #cloud-config document or a script, or a file (text, or gzip kept
 * as bytes). Shows what cloud-init will see, and the base64 that will be sent.
 */
export function UserDataEditor({
  input,
  parsed,
  base64,
  problems,
  onChange,
}: {
  input: UserDataInput;
  parsed: UserData | null;
  base64: string | null;
  problems: readonly FieldProblem[] | undefined;
  onChange: (input: UserDataInput) => void;
}) {
  const [fileError, setFileError] = useState<string | null>(null);
  const load = async (file: File) => {
    setFileError(null);
    if (file.size > 1024 * 1024) {
      setFileError(`${file.name} is ${formatBytes(file.size)}; user data is at most 256 KiB.`);
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
    let text: string | null = null;
    if (!gzip) {
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        text = null;
      }
    }
    if (text !== null) onChange({ mode: 'text', text, fileName: file.name });
    else onChange({ mode: 'binary', base64: encodeBase64(bytes), fileName: file.name, sizeBytes: bytes.length });
  };

  return (
    <Field
      id="user-data"
      label="Config drive user data"
      optional
      problems={problems}
      hint={
        <>
          A <code>#cloud-config</code> YAML document or a script starting with <code>#!</code> (other cloud-init formats work too). It is sent base64-encoded, as OVHcloud recommends (
          <code>base64 -w0</code>).
        </>
      }
    >
      <div className="mb-1 flex flex-wrap gap-2">
        <button type="button" className="btn btn-xs btn-outline" onClick={() => onChange({ mode: 'text', text: cloudConfigExample, fileName: null })}>
          #cloud-config example
        </button>
        <button type="button" className="btn btn-xs btn-outline" onClick={() => onChange({ mode: 'text', text: scriptExample, fileName: null })}>
          Script example
        </button>
        <label className="btn btn-xs btn-outline" htmlFor="user-data-file">
          Load from file
        </label>
        <input
          id="user-data-file"
          type="file"
          className="sr-only"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file !== undefined) void load(file);
            event.target.value = '';
          }}
        />
        {(input.mode === 'binary' || input.text !== '') && (
          <button type="button" className="btn btn-xs btn-ghost" onClick={() => onChange({ mode: 'text', text: '', fileName: null })}>
            Clear
          </button>
        )}
      </div>
      {input.mode === 'text' ? (
        <textarea
          id="user-data"
          className="textarea h-48 w-full font-mono-tight"
          spellCheck={false}
          placeholder="#cloud-config"
          value={input.text}
          aria-describedby={describedBy('user-data')}
          aria-invalid={problems !== undefined && problems.length > 0}
          onChange={(event) => onChange({ mode: 'text', text: event.target.value, fileName: input.fileName })}
        />
      ) : (
        <div id="user-data" tabIndex={-1} className="rounded-box border border-base-300 p-3 text-sm" aria-describedby={describedBy('user-data')}>
          Binary file <strong>{input.fileName}</strong> ({formatBytes(input.sizeBytes)}), sent as it is.
        </div>
      )}
      {fileError !== null && <p className="text-sm text-error">{fileError}</p>}
      {parsed !== null && (
        <p className="text-sm text-success" data-testid="user-data-kind">
          ✓ {kindLabel[parsed.kind] ?? parsed.kind}
          {parsed.gzip ? ', gzip-compressed' : ''}, {formatBytes(parsed.bytes.length)}
        </p>
      )}
      {base64 !== null && (
        <details className="collapse-arrow collapse mt-1 border border-base-300">
          <summary className="collapse-title text-sm">Base64 sent to the API ({base64.length} characters)</summary>
          <div className="collapse-content space-y-2">
            <pre className="max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-base-200 p-2 font-mono-tight" data-testid="user-data-base64">
              {base64}
            </pre>
            <CopyButton text={base64} label="Copy base64" />
          </div>
        </details>
      )}
    </Field>
  );
}
