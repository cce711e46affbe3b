import { describedBy, Field } from '../components/Field.tsx';
import { efiPresets } from './efi-presets.ts';
import type { FieldProblem } from './validate-install-form.ts';

/** efiBootloaderPath with the BYOI guide's per-OS presets and, after an inspection, the path found in the image. */
export function EfiPathField({
  value,
  detected,
  bootMode,
  problems,
  onChange,
  onTouch,
}: {
  value: string;
  detected: string | null;
  bootMode: string;
  problems: readonly FieldProblem[] | undefined;
  onChange: (value: string) => void;
  onTouch: () => void;
}) {
  return (
    <Field
      id="efi-path"
      label="EFI bootloader path"
      optional
      problems={problems}
      hint={
        bootMode === 'legacy'
          ? 'This server boots in legacy (BIOS) mode: the EFI path is not used to boot it.'
          : 'The loader on the image\u2019s EFI System Partition that the server boots, e.g. \\efi\\debian\\grubx64.efi. Left empty, byoi finds it after writing the image.'
      }
    >
      <div className="flex flex-wrap gap-2 sm:flex-nowrap">
        <input
          id="efi-path"
          className="input w-full min-w-0 flex-1 font-mono"
          placeholder="\efi\debian\grubx64.efi"
          spellCheck={false}
          value={value}
          aria-describedby={describedBy('efi-path')}
          aria-invalid={problems !== undefined && problems.length > 0}
          onChange={(event) => onChange(event.target.value)}
          onBlur={onTouch}
        />
        <label className="sr-only" htmlFor="efi-preset">
          EFI bootloader path presets
        </label>
        <select
          id="efi-preset"
          className="select w-full sm:w-48"
          value=""
          onChange={(event) => {
            if (event.target.value !== '') onChange(event.target.value);
          }}
        >
          <option value="">Preset for…</option>
          {detected !== null && <option value={detected}>Found in the image: {detected}</option>}
          {efiPresets.map((preset) => (
            <option key={preset.os} value={preset.path}>
              {preset.os}: {preset.path}
            </option>
          ))}
        </select>
      </div>
      {detected !== null && detected !== value && (
        <button type="button" className="btn btn-xs btn-outline btn-primary mt-1 self-start" onClick={() => onChange(detected)}>
          Use the path found in the image: <code>{detected}</code>
        </button>
      )}
    </Field>
  );
}
