/**
 * One file of a config drive: a `/`-separated path relative to the filesystem root (no leading `/`, no `.` or
 * `..` components) and its bytes. Directories are implied by the paths.
 */
export interface ConfigDriveFile {
  path: string;
  bytes: Uint8Array;
}
