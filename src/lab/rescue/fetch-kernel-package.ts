import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { runTool } from '../_run-tool.ts';

/** A Debian kernel package as the host's apt lists describe it, downloaded into the cache. */
export interface KernelPackage {
  /** The versioned package, e.g. linux-image-6.1.0-56-amd64. */
  name: string;
  /** Its Debian version, e.g. 6.1.192-2. */
  version: string;
  /** The .deb in the cache directory. */
  debPath: string;
  /** SHA-256 of the .deb, as the apt lists give it (checked after the download). */
  sha256: string;
}

/**
 * Finds the kernel package behind a Debian metapackage (linux-image-amd64, linux-image-cloud-amd64) with the
 * host's apt lists, and downloads it with `apt-get download` into `cacheDir` unless a .deb with the listed SHA-256
 * is already there. The host's own kernel is never used. Needs apt's lists (`apt-get update`) and the mirror
 * of /etc/apt/sources.list(.d) for a cold cache.
 *
 * @param packageName a metapackage or a versioned linux-image-* package
 * @throws ByoiError BYOI_RESCUE_BUILD_FAILED, BYOI_LAB_TOOL_FAILED
 */
export async function fetchKernelPackage(packageName: string, cacheDir: string): Promise<KernelPackage> {
  if (!/^linux-image-[a-z0-9.+-]+$/.test(packageName)) {
    throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `${packageName} is not a linux-image-* package name` });
  }
  const name = await resolveMetapackage(packageName);
  const record = parseControl((await runTool('apt-cache', ['show', '--no-all-versions', name])).stdout);
  const version = record.get('Version');
  const filename = record.get('Filename');
  const sha256 = record.get('SHA256');
  if (version === undefined || filename === undefined || sha256 === undefined) {
    throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `apt-cache show ${name} gave no Version, Filename or SHA256 (run apt-get update)` });
  }
  mkdirSync(cacheDir, { recursive: true });
  const debPath = join(cacheDir, basename(filename));
  if (existsSync(debPath) && (await sha256File(debPath)) === sha256) return { name, version, debPath, sha256 };

  // apt-get download writes into its working directory; a private one keeps a half-written file out of the cache.
  const partial = join(cacheDir, `.download-${process.pid}`);
  mkdirSync(partial, { recursive: true });
  await runTool('apt-get', ['download', '-q', `${name}=${version}`], { cwd: partial, timeoutMs: 900_000 });
  const downloaded = join(partial, basename(filename));
  if (!existsSync(downloaded)) throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `apt-get download ${name}=${version} left no ${basename(filename)}` });
  const got = await sha256File(downloaded);
  if (got !== sha256) throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `${basename(filename)} has SHA-256 ${got}, the apt lists say ${sha256}` });
  renameSync(downloaded, debPath);
  return { name, version, debPath, sha256 };
}

/** linux-image-amd64 → the linux-image-<abi>-amd64 it depends on; a versioned name stays as it is. */
async function resolveMetapackage(packageName: string): Promise<string> {
  const { stdout } = await runTool('apt-cache', ['depends', '--no-recommends', '--no-suggests', '--no-enhances', packageName]);
  const target = /^\s*Depends:\s*(linux-image-\d[^\s<>]*)/m.exec(stdout)?.[1];
  if (target !== undefined) return target;
  if (/^linux-image-\d/.test(packageName)) return packageName;
  throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `apt-cache depends ${packageName} names no linux-image-<version> package (run apt-get update)` });
}

/** The fields of the first paragraph of a Debian control text ("Field: value" lines). */
function parseControl(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (match !== null) fields.set(match[1] as string, (match[2] as string).trim());
  }
  return fields;
}

/** SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
