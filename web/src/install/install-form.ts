import type { ChecksumType, ImageType } from '../../../src/contract/request/install-request.ts';

/** One HTTP header row of the form; `id` keeps React's rows stable while they are edited. */
export interface HeaderRow {
  id: number;
  name: string;
  value: string;
}

/** One configDriveMetadata row. */
export interface MetadataRow {
  id: number;
  key: string;
  value: string;
}

/** The user data: typed (or loaded from a text file) in the editor, or a binary file (gzip) kept as base64. */
export type UserDataInput = { mode: 'text'; text: string; fileName: string | null } | { mode: 'binary'; base64: string; fileName: string; sizeBytes: number };

/** What the configuration page holds, field by field, before it becomes a /reinstall body. */
export interface InstallForm {
  imageUrl: string;
  imageType: ImageType;
  checksum: string;
  checksumType: ChecksumType | '';
  headers: HeaderRow[];
  hostname: string;
  sshKey: string;
  userData: UserDataInput;
  metadata: MetadataRow[];
  efiBootloaderPath: string;
  /** null: automatic (the API's default, the lowest disk group id). */
  diskGroupId: number | null;
}

let nextRowId = 1;

/** A fresh row id. */
export function rowId(): number {
  return nextRowId++;
}

/** An empty form. */
export function emptyInstallForm(): InstallForm {
  return {
    imageUrl: '',
    imageType: 'qcow2',
    checksum: '',
    checksumType: '',
    headers: [],
    hostname: '',
    sshKey: '',
    userData: { mode: 'text', text: '', fileName: null },
    metadata: [],
    efiBootloaderPath: '',
    diskGroupId: null,
  };
}

/** The form fields that errors are shown beside. */
export type FormField =
  | 'imageUrl'
  | 'imageType'
  | 'checksum'
  | 'checksumType'
  | 'headers'
  | 'hostname'
  | 'sshKey'
  | 'userData'
  | 'metadata'
  | 'efiBootloaderPath'
  | 'diskGroup'
  | 'form';
