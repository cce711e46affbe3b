import type { ConfigDriveFile } from './config-drive-file.ts';
import { configDriveError } from './_config-drive-error.ts';

export interface FileNode {
  kind: 'file';
  name: string;
  bytes: Uint8Array;
}

export interface DirectoryNode {
  kind: 'directory';
  name: string;
  /** In the order the paths first name them. */
  children: TreeNode[];
}

export type TreeNode = FileNode | DirectoryNode;

/**
 * Turns a flat file list into a directory tree (root name ""). Refuses empty, absolute or dotted paths, a path
 * given twice, and a name used both as a file and as a directory. Each filesystem writer adds its own name rules.
 */
export function buildFileTree(files: readonly ConfigDriveFile[]): DirectoryNode {
  const root: DirectoryNode = { kind: 'directory', name: '', children: [] };
  for (const file of files) {
    const parts = file.path.split('/');
    for (const part of parts) {
      if (part === '' || part === '.' || part === '..') {
        throw configDriveError(`Cannot place file "${file.path}": the path must be relative, without empty, "." or ".." parts`);
      }
    }
    let directory = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i] as string;
      const found = directory.children.find((child) => child.name === name);
      if (found === undefined) {
        const created: DirectoryNode = { kind: 'directory', name, children: [] };
        directory.children.push(created);
        directory = created;
      } else if (found.kind === 'directory') {
        directory = found;
      } else {
        throw configDriveError(`Cannot place file "${file.path}": "${parts.slice(0, i + 1).join('/')}" is a file`);
      }
    }
    const name = parts[parts.length - 1] as string;
    if (directory.children.some((child) => child.name === name)) {
      throw configDriveError(`Cannot place file "${file.path}": the path is already taken`);
    }
    directory.children.push({ kind: 'file', name, bytes: file.bytes });
  }
  return root;
}
