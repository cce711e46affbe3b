import { useState } from 'react';
import { checksumHexLength, checksumTypes, imageTypes } from '../../../src/contract/request/install-request.ts';
import { messageOf } from '../api/api-error.ts';
import { inspectImage } from '../api/inspect.ts';
import type { HardwareSpecifications, InspectResult } from '../api/types.ts';
import { describedBy, Field } from '../components/Field.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { DiskGroupPicker } from './DiskGroupPicker.tsx';
import { EfiPathField } from './EfiPathField.tsx';
import { HeaderRows } from './HeaderRows.tsx';
import { InspectPanel } from './InspectPanel.tsx';
import type { FormField, InstallForm } from './install-form.ts';
import { MetadataRows } from './MetadataRows.tsx';
import type { InstallValidation } from './use-install-validation.ts';
import { UserDataEditor } from './UserDataEditor.tsx';

/**
 * The configuration page of the install: every BYOI customization, validated as it is typed with the API's own
 * rules. A field's problems show once it was touched, or all of them after "Next".
 */
export function ConfigurationStep({
  serviceName,
  hardware,
  form,
  validation,
  showAll,
  onChange,
}: {
  serviceName: string;
  hardware: HardwareSpecifications;
  form: InstallForm;
  validation: InstallValidation;
  showAll: boolean;
  onChange: (form: InstallForm) => void;
}) {
  const [touched, setTouched] = useState<ReadonlySet<FormField>>(new Set());
  const [inspection, setInspection] = useState<{ busy: boolean; result: InspectResult | null; error: string | null; notes: string[] }>({
    busy: false,
    result: null,
    error: null,
    notes: [],
  });

  const touch = (...fields: FormField[]) => {
    if (fields.every((field) => touched.has(field))) return;
    setTouched(new Set([...touched, ...fields]));
  };
  const problems = (field: FormField) => (showAll || touched.has(field) ? validation.problems[field] : undefined);
  const set = <K extends keyof InstallForm>(key: K, value: InstallForm[K], ...fields: FormField[]) => {
    onChange({ ...form, [key]: value });
    touch(...fields);
  };

  const inspect = async () => {
    touch('imageUrl', 'headers');
    setInspection({ busy: true, result: null, error: null, notes: [] });
    try {
      const result = await inspectImage(serviceName, validation.body);
      // Fill in what the image says: its real format, and its loader when no path was chosen.
      const notes: string[] = [];
      let next = form;
      if ((result.format === 'raw' || result.format === 'qcow2') && result.format !== form.imageType) {
        next = { ...next, imageType: result.format };
        notes.push(`Image type set to ${result.format}, the format of the image.`);
      }
      const suggested = result.boot.suggestedEfiBootloaderPath;
      if (form.efiBootloaderPath === '' && suggested !== null && hardware.bootMode === 'uefi') {
        next = { ...next, efiBootloaderPath: suggested };
        notes.push(`EFI bootloader path set to ${suggested}, found on the image's EFI System Partition.`);
      }
      if (next !== form) onChange(next);
      setInspection({ busy: false, result, error: null, notes });
    } catch (failure) {
      setInspection({ busy: false, result: null, error: messageOf(failure), notes: [] });
    }
  };

  const urlProblems = problems('imageUrl');
  const checksumLength = form.checksumType === '' ? null : checksumHexLength[form.checksumType];

  return (
    <div className="space-y-6">
      <section aria-labelledby="image-section" className="space-y-2">
        <h2 id="image-section" className="text-lg font-semibold">
          Image
        </h2>
        <Field id="image-url" label="Image URL" problems={urlProblems} hint="An http(s) URL of a qcow2 or raw cloud image. Put credentials in the HTTP headers below, not in the URL.">
          <div className="flex flex-wrap gap-2 sm:flex-nowrap">
            <input
              id="image-url"
              className="input w-full min-w-0 flex-1 font-mono"
              type="url"
              inputMode="url"
              placeholder="https://cdimage.debian.org/…/debian-12-generic-amd64.qcow2"
              spellCheck={false}
              autoComplete="off"
              value={form.imageUrl}
              aria-describedby={describedBy('image-url')}
              aria-invalid={urlProblems !== undefined && urlProblems.length > 0}
              onChange={(event) => set('imageUrl', event.target.value)}
              onBlur={() => touch('imageUrl')}
            />
            <button type="button" className="btn btn-secondary" onClick={() => void inspect()} disabled={inspection.busy || form.imageUrl === '' || (validation.problems.imageUrl?.length ?? 0) > 0}>
              {inspection.busy && <span className="loading loading-spinner loading-sm" aria-hidden="true" />}
              Inspect image
            </button>
          </div>
        </Field>
        {inspection.error !== null && <ProblemAlert title="The image could not be inspected" message={inspection.error} testId="inspect-error" />}
        {inspection.notes.length > 0 && (
          <ul role="status" className="text-sm text-info">
            {inspection.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        )}
        {inspection.result !== null && <InspectPanel result={inspection.result} />}

        <fieldset className="fieldset py-1">
          <legend className="fieldset-legend pb-1 text-sm">Image type</legend>
          <div className="join">
            {imageTypes.map((type) => (
              <label key={type} className={`btn join-item btn-sm ${form.imageType === type ? 'btn-primary' : 'btn-outline'}`}>
                <input type="radio" name="imageType" className="sr-only" value={type} checked={form.imageType === type} onChange={() => set('imageType', type, 'imageType')} />
                {type}
              </label>
            ))}
          </div>
          <p className="text-xs text-base-content/70">The real format of the file, whatever its extension.</p>
        </fieldset>

        <div className="grid gap-x-4 gap-y-2 sm:grid-cols-[16rem_1fr]">
          <Field id="checksum-type" label="Checksum type" optional problems={problems('checksumType')}>
            <select
              id="checksum-type"
              className="select w-full"
              value={form.checksumType}
              aria-describedby={describedBy('checksum-type')}
              onChange={(event) => set('checksumType', event.target.value as InstallForm['checksumType'], 'checksum', 'checksumType')}
            >
              <option value="">None</option>
              {checksumTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="checksum"
            label="Checksum"
            optional
            problems={problems('checksum')}
            hint={checksumLength === null ? 'The hex digest of the image file; give its type too.' : `${checksumLength} hexadecimal digits (${form.checksum.length} typed).`}
          >
            <input
              id="checksum"
              className="input w-full font-mono"
              spellCheck={false}
              autoComplete="off"
              value={form.checksum}
              aria-describedby={describedBy('checksum')}
              onChange={(event) => set('checksum', event.target.value, 'checksum', 'checksumType')}
            />
          </Field>
        </div>

        <HeaderRows rows={form.headers} problems={problems('headers')} onChange={(rows) => set('headers', rows, 'headers')} />
      </section>

      <section aria-labelledby="disk-section" className="space-y-2">
        <h2 id="disk-section" className="text-lg font-semibold">
          Disk and boot
        </h2>
        <DiskGroupPicker groups={hardware.diskGroups} value={form.diskGroupId} problems={problems('diskGroup')} onChange={(value) => set('diskGroupId', value, 'diskGroup')} />
        <EfiPathField
          value={form.efiBootloaderPath}
          detected={inspection.result?.boot.suggestedEfiBootloaderPath ?? null}
          bootMode={hardware.bootMode}
          problems={problems('efiBootloaderPath')}
          onChange={(value) => set('efiBootloaderPath', value, 'efiBootloaderPath')}
          onTouch={() => touch('efiBootloaderPath')}
        />
      </section>

      <section aria-labelledby="cloud-init-section" className="space-y-2">
        <h2 id="cloud-init-section" className="text-lg font-semibold">
          Cloud-init config drive
        </h2>
        <Field id="hostname" label="Hostname" optional problems={problems('hostname')} hint="Letters, digits and hyphens; a label starts with a letter. May be fully qualified.">
          <input
            id="hostname"
            className="input w-full font-mono sm:w-96"
            spellCheck={false}
            autoComplete="off"
            value={form.hostname}
            aria-describedby={describedBy('hostname')}
            aria-invalid={(problems('hostname')?.length ?? 0) > 0}
            onChange={(event) => set('hostname', event.target.value, 'hostname')}
          />
        </Field>
        <Field
          id="ssh-key"
          label="SSH public key"
          optional
          problems={problems('sshKey')}
          hint={
            validation.sshKey === null ? (
              'One OpenSSH public key line: ssh-ed25519 AAAA… you@laptop (the .pub file, never the private key).'
            ) : (
              <span className="text-success" data-testid="ssh-fingerprint">
                ✓ {validation.sshKey.type}, {validation.sshKey.bits} bits, {validation.sshKey.fingerprint}
                {validation.sshKey.comment === null ? '' : ` (${validation.sshKey.comment})`}
              </span>
            )
          }
        >
          <textarea
            id="ssh-key"
            className="textarea w-full font-mono-tight"
            rows={3}
            spellCheck={false}
            value={form.sshKey}
            aria-describedby={describedBy('ssh-key')}
            aria-invalid={(problems('sshKey')?.length ?? 0) > 0}
            onChange={(event) => set('sshKey', event.target.value, 'sshKey')}
          />
        </Field>
        <UserDataEditor input={form.userData} parsed={validation.userData} base64={validation.userDataBase64} problems={problems('userData')} onChange={(input) => set('userData', input, 'userData')} />
        <MetadataRows rows={form.metadata} problems={problems('metadata')} onChange={(rows) => set('metadata', rows, 'metadata')} />
      </section>

      {(showAll ? validation.problems.form : undefined)?.map((problem, index) => <ProblemAlert key={index} message={problem.message} solution={problem.solution} />)}
    </div>
  );
}
