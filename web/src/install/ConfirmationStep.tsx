import type { ReactNode } from 'react';
import type { HardwareSpecifications } from '../api/types.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { formatBytes, formatDiskSize } from '../format.ts';
import { maskReinstallBody } from './build-reinstall-body.ts';
import type { InstallForm } from './install-form.ts';
import type { InstallValidation } from './use-install-validation.ts';

/**
 * The last page: the choices once more, the seed's warning that the server's data will be erased, and the exact
 * API payload (secrets masked), so panel users learn the API.
 */
export function ConfirmationStep({
  serviceName,
  hardware,
  form,
  validation,
  acknowledged,
  onAcknowledge,
}: {
  serviceName: string;
  hardware: HardwareSpecifications;
  form: InstallForm;
  validation: InstallValidation;
  acknowledged: boolean;
  onAcknowledge: (value: boolean) => void;
}) {
  const group =
    (form.diskGroupId === null
      ? [...hardware.diskGroups].sort((a, b) => a.diskGroupId - b.diskGroupId)[0]
      : hardware.diskGroups.find((candidate) => candidate.diskGroupId === form.diskGroupId)) ?? null;
  const { customizations } = validation.body;
  const headers = Object.keys(customizations.httpHeaders ?? {});
  const metadata = Object.entries(customizations.configDriveMetadata ?? {});
  const preview = JSON.stringify(maskReinstallBody(validation.body), null, 2);
  const path = `POST /1.0/dedicated/server/${serviceName}/reinstall`;

  return (
    <div className="space-y-4">
      <div role="alert" className="alert alert-warning" data-testid="erase-warning">
        <div>
          <p className="font-semibold">All data on the server will be erased.</p>
          <p className="text-sm">
            As with any classical OS installation, a new installation with BYOI will erase all the data on the server
            {group === null ? '' : ` (disk group #${group.diskGroupId}: its first disk is overwritten)`}.
          </p>
        </div>
      </div>

      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]" data-testid="install-summary">
        <Item label="Server">{serviceName}</Item>
        <Item label="Operating system">Bring Your Own Image - byoi (byoi_64)</Item>
        <Item label="Disk">{group === null ? 'automatic' : `group #${group.diskGroupId}: ${group.numberOfDisks} × ${formatDiskSize(group.diskSizeBytes)} ${group.diskType}${form.diskGroupId === null ? ' (automatic)' : ''}`}</Item>
        <Item label="Image URL">
          <code className="break-all">{customizations.imageURL}</code>
        </Item>
        <Item label="Image type">{customizations.imageType}</Item>
        <Item label="Checksum">{typeof customizations.imageCheckSum === 'string' ? <code className="break-all">{`${customizations.imageCheckSumType ?? ''} ${customizations.imageCheckSum}`}</code> : 'none'}</Item>
        <Item label="HTTP headers">{headers.length === 0 ? 'none' : headers.map((name) => `${name}: ••••••`).join(', ')}</Item>
        <Item label="EFI bootloader path">
          {typeof customizations.efiBootloaderPath === 'string' ? <code>{customizations.efiBootloaderPath}</code> : 'found by byoi on the image after writing it'}
        </Item>
        <Item label="Hostname">{customizations.hostname ?? 'not set'}</Item>
        <Item label="SSH key">{validation.sshKey === null ? 'none' : `${validation.sshKey.type} ${validation.sshKey.fingerprint}`}</Item>
        <Item label="User data">{validation.userData === null ? 'none' : `${validation.userData.kind}, ${formatBytes(validation.userData.bytes.length)} (hidden)`}</Item>
        <Item label="Metadata">{metadata.length === 0 ? 'none' : metadata.map(([key, value]) => `${key}=${value}`).join(', ')}</Item>
      </dl>

      <div className="space-y-2">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h3 className="font-semibold">API payload</h3>
          <CopyButton text={preview} label="Copy JSON" />
        </div>
        <p className="text-xs text-base-content/70">
          The panel sends exactly this to <code>{path}</code>; header values and user data are masked here.
        </p>
        <pre className="max-h-80 overflow-auto rounded-box bg-neutral p-3 text-neutral-content font-mono-tight" data-testid="payload-preview" tabIndex={0} aria-label="API payload">
          {preview}
        </pre>
      </div>

      <label className="flex cursor-pointer items-start gap-3">
        <input type="checkbox" className="checkbox checkbox-warning" checked={acknowledged} onChange={(event) => onAcknowledge(event.target.checked)} />
        <span>I understand that all data on {serviceName} will be erased.</span>
      </label>
    </div>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-base-content/60">{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
