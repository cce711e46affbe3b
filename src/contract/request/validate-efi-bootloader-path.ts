import { ByoiError } from '../errors/byoi-error.ts';
import { requestLimits } from '../request-limits.ts';
import { printable } from './printable.ts';

const example = '\\efi\\debian\\grubx64.efi';

/**
 * Checks efiBootloaderPath and returns it with one backslash per separator, the form iPXE's sanboot wants.
 *
 * Normalisation, both documented in docs/CONTRACT.md: forward slashes become backslashes (people copy the
 * path from a mounted ESP), and runs of backslashes become one. The JSON string "\\efi\\debian\\grubx64.efi"
 * is already `\efi\debian\grubx64.efi` once parsed; a double-escaped one ("\\\\efi\\\\debian…", literally
 * `\\efi\\debian…`) is collapsed to the same. Then: it starts with a backslash, is printable ASCII, has no
 * empty, `.` or `..` component, no character FAT forbids in names (" * : < > ? |), no component ending in a dot
 * or space, and names a `.efi` file (any case).
 *
 * @throws ByoiError BYOI_REQUEST_INVALID_FORMAT (name efiBootloaderPath, type text)
 * @example
 * validateEfiBootloaderPath('/EFI/BOOT/BOOTX64.EFI') // '\\EFI\\BOOT\\BOOTX64.EFI'
 */
export function validateEfiBootloaderPath(value: string): string {
  const path = value.replace(/\//g, '\\').replace(/\\{2,}/g, '\\');
  if (path.length > requestLimits.efiPathMaxLength) {
    throw invalid(`it is ${path.length} characters long; the limit is ${requestLimits.efiPathMaxLength}`);
  }
  if (!/^[\x20-\x7e]*$/.test(path)) throw invalid('it holds control or non-ASCII characters');
  if (!path.startsWith('\\')) throw invalid(`it must start with a backslash, as in ${example}`);

  const components = path.slice(1).split('\\');
  for (const component of components) {
    if (component === '') throw invalid(`it has an empty component (it must not end with a backslash), as in ${example}`);
    if (component === '.' || component === '..') throw invalid('it must not hold . or .. components');
    const forbidden = /["*:<>?|]/.exec(component);
    if (forbidden !== null) {
      throw invalid(`the component ${printable(component)} holds ${forbidden[0]}, which FAT file names cannot hold`);
    }
    if (/[. ]$/.test(component)) {
      throw invalid(`the component ${printable(component)} ends with a dot or a space, which FAT file names cannot`);
    }
    if (component.length > requestLimits.efiPathComponentMaxLength) {
      throw invalid(`a component is longer than ${requestLimits.efiPathComponentMaxLength} characters`);
    }
  }
  if (!/\.efi$/i.test(components[components.length - 1] ?? '')) {
    throw invalid(`it must name an .efi file, as in ${example}`);
  }
  return path;
}

function invalid(msg: string): ByoiError {
  return new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'efiBootloaderPath', type: 'text', msg });
}
