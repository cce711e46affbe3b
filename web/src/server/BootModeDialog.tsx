import { useEffect, useState } from 'react';
import { api, segment } from '../api/client.ts';
import type { ServerDetails } from '../api/server-details.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';

/** Chooses what the server boots: its disk, the rescue system, or a custom iPXE script (PUT /dedicated/server/{name}). */
export function BootModeDialog({ open, details, onClose, onChanged }: { open: boolean; details: ServerDetails; onClose: () => void; onChanged: () => void }) {
  const { server, bootOptions } = details;
  const [bootId, setBootId] = useState<number>(server.bootId ?? 1);
  const [script, setScript] = useState(server.bootScript ?? '#!ipxe\n');
  useEffect(() => {
    if (!open) return;
    setBootId(server.bootId ?? 1);
    setScript(server.bootScript ?? '#!ipxe\n');
  }, [open, server.bootId, server.bootScript]);

  const chosen = bootOptions.find((option) => option.bootId === bootId);
  const save = async () => {
    const body = chosen?.bootType === 'network' ? { bootId, bootScript: script } : { bootId };
    await api('PUT', `/dedicated/server/${segment(server.name)}`, body);
    onChanged();
    onClose();
  };

  return (
    <ConfirmDialog open={open} title="Boot mode" confirmLabel="Save" onConfirm={save} onClose={onClose}>
      <fieldset className="space-y-2">
        <legend className="mb-2 text-sm text-base-content/70">What the server starts on its next boot:</legend>
        {bootOptions.map((option) => (
          <label key={option.bootId} className="flex cursor-pointer items-start gap-3 rounded-box border border-base-300 p-3 has-checked:border-primary">
            <input type="radio" name="bootId" className="radio radio-primary radio-sm mt-0.5" checked={bootId === option.bootId} onChange={() => setBootId(option.bootId)} />
            <span>
              <span className="font-medium">{option.description}</span>
              <span className="block text-xs text-base-content/60">
                {option.bootType === 'harddisk' ? 'Boot the installed system from the disk' : option.bootType === 'network' ? 'Run your own iPXE script' : 'The byoi rescue system'}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      {chosen?.bootType === 'network' && (
        <div className="fieldset mt-3">
          <label htmlFor="boot-script" className="fieldset-legend text-sm">
            Custom iPXE script
          </label>
          <textarea id="boot-script" className="textarea w-full font-mono-tight" rows={6} value={script} onChange={(event) => setScript(event.target.value)} spellCheck={false} />
        </div>
      )}
    </ConfirmDialog>
  );
}
