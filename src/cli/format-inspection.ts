import type { ImageProblem, InspectResult, PartitionInfo } from '../image/inspect-result.ts';

const GiB = 1024 ** 3;

/** "2147483648 bytes (2.00 GiB)": exact for scripts and people who compare with qemu-img, rounded for the eye. */
export function formatBytes(bytes: number): string {
  return `${bytes} bytes (${(bytes / GiB).toFixed(2)} GiB)`;
}

/** "3.2 MiB", for amounts read. */
function formatAmount(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < GiB) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

/** Pads every column of `rows` to its widest cell; the last column is not padded. */
function table(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

function describeFormat(result: InspectResult): string {
  const q = result.qcow2;
  if (q === null) return result.fixedVhdFooter ? `${result.format} (a fixed VHD: its last 512 bytes are a footer, not disk)` : result.format;
  const facts = [`version ${q.version}`, `${q.clusterSize >= 1024 ? `${q.clusterSize / 1024} KiB` : `${q.clusterSize} B`} clusters`, `${q.compressionType} compression`];
  if (q.extendedL2) facts.push('extended L2');
  if (q.backingFile !== null) facts.push(`backing file ${q.backingFile}`);
  if (q.externalDataFile !== null) facts.push(`external data file ${q.externalDataFile === '' ? '(no name)' : q.externalDataFile}`);
  if (q.encrypted) facts.push('encrypted');
  if (q.dirty) facts.push('dirty');
  if (q.corrupt) facts.push('marked corrupt');
  return `qcow2 (${facts.join(', ')})`;
}

function describeDiskSize(result: InspectResult): string {
  if (['gzip', 'xz', 'zstd', 'bzip2'].includes(result.format)) return `unknown until decompressed (qemu-img reads the file as a raw disk of ${result.virtualSize} bytes)`;
  if (result.virtualSize === 0 && result.format !== 'raw') return 'unknown (the header cannot be read)';
  return formatBytes(result.virtualSize);
}

function describeAccess(access: InspectResult['access']): string {
  const amount = formatAmount(access.bytesRead);
  if (access.method === 'file') return `local file, ${access.requests} reads, ${amount} read`;
  if (access.method === 'http-range') return `HTTP Range requests: ${access.requests} requests, ${amount} read`;
  return `whole download (no Range support): ${access.requests} requests, ${amount} downloaded`;
}

function partitionRow(partition: PartitionInfo): string[] {
  const type = partition.typeName === null ? partition.type : `${partition.typeName}`;
  const filesystem = partition.filesystem ?? '-';
  const label = partition.label ?? '';
  return [
    String(partition.number) + (partition.bootable ? '*' : ''),
    String(partition.start),
    String(partition.size),
    `${(partition.size / GiB).toFixed(2)} GiB`,
    type,
    partition.name ?? '',
    filesystem,
    label,
  ];
}

function problemLines(problem: ImageProblem): string[] {
  const lines = [`  ${problem.severity === 'error' ? 'error  ' : 'warning'}  ${problem.message}`, `           (${problem.code})`];
  if (problem.detail !== undefined) lines.push(`           ${problem.detail}`);
  if (problem.solution !== null) lines.push(`           solution: ${problem.solution}`);
  return lines;
}

/**
 * The human report of `byoi inspect`: what the image is, its partitions, how it boots, and the problems it would
 * hit with their solutions, ending with a one-line verdict. Never holds a header value: only `result` is shown,
 * and its source is already in display form.
 *
 * @param notes sentences from reading the image ("the server does not support HTTP Range requests: ...")
 */
export function formatInspection(result: InspectResult, notes: readonly string[] = []): string {
  const lines: string[] = [];
  lines.push(...table([
    ['Image', result.source],
    ['Read', describeAccess(result.access)],
    ['Format', describeFormat(result)],
    ['File size', formatBytes(result.fileSize)],
    ['Disk size', describeDiskSize(result)],
  ], ''));
  for (const note of notes) lines.push(`Note       ${note}`);

  lines.push('');
  const pt = result.partitionTable;
  if (pt === null) {
    lines.push(`Partition table  none${result.contents === null ? '' : `; the disk seems to contain: ${result.contents}`}`);
  } else {
    lines.push(`Partition table  ${pt.type.toUpperCase()}, ${pt.sectorSize}-byte sectors, ${pt.partitions.length} partition${pt.partitions.length === 1 ? '' : 's'}, id ${pt.id}`);
    if (pt.partitions.length > 0) {
      lines.push(...table([['#', 'start', 'size', '', 'type', 'name', 'filesystem', 'label'], ...pt.partitions.map(partitionRow)], '  '));
    }
    if (pt.gpt !== undefined && !pt.gpt.backupAtEnd) lines.push(`  the backup GPT is not at the end of the image (LBA ${pt.gpt.backupLba}); the deploy moves it to the end of the disk`);
  }

  lines.push('');
  const boot = result.boot;
  const uefi = boot.uefi
    ? `yes (EFI System Partition: partition ${boot.espPartition})`
    : boot.espPartition === null
      ? 'no EFI System Partition'
      : `no loader on the EFI System Partition (partition ${boot.espPartition})`;
  const bootRows: string[][] = [['UEFI', uefi]];
  for (const path of boot.efiBootloaderPaths) bootRows.push(['', path]);
  if (boot.suggestedEfiBootloaderPath !== null) bootRows.push(['efiBootloaderPath', `${boot.suggestedEfiBootloaderPath} (suggested)`]);
  bootRows.push(['legacy BIOS', boot.legacy ? 'yes (boot code in the MBR)' : 'no boot code found']);
  lines.push('Boot');
  lines.push(...table(bootRows, '  '));

  const checksum = result.checksum;
  if (checksum !== null) {
    lines.push('');
    if (checksum.status === 'deferred') {
      lines.push(`Checksum   ${checksum.type} not computed here (that would download the whole image); the deploy verifies it while downloading`);
    } else {
      lines.push(`Checksum   ${checksum.type} ${checksum.status === 'match' ? 'matches' : `does NOT match: the file hashes to ${checksum.actual}`}`);
    }
  }
  for (const sentence of result.unchecked) lines.push(`Unchecked  ${sentence}`);

  lines.push('');
  const errors = result.problems.filter((p) => p.severity === 'error').length;
  const warnings = result.problems.length - errors;
  if (result.problems.length === 0) {
    lines.push('Problems   none');
  } else {
    lines.push(`Problems   ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
    for (const problem of result.problems) lines.push(...problemLines(problem));
  }
  lines.push('');
  lines.push(errors === 0 ? 'Verdict    this image can be deployed as asked' : 'Verdict    this image would fail: fix the errors above');
  return `${lines.join('\n')}\n`;
}
