import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Config } from '../config/config-schema.ts';
import { findActiveTask, findLatestTask } from '../store/tasks-repo.ts';
import { issueInstallerToken } from '../agent/issue-installer-token.ts';
import type { ControlTask } from '../tasks/task-model.ts';
import type {} from '../http/fastify-types.ts';
import { decideBoot } from './decide-boot.ts';
import { createGrubChainLoader, type GrubChainLoader } from './grub-chain-loader.ts';
import { isIpxeSafe } from './ipxe-text.ts';
import { macForUrl, parseMac } from './parse-mac.ts';
import { renderGrubChainConfig } from './render-grub-config.ts';
import { defaultEfiLoaderPath, renderIpxeScript, type BootScript } from './render-ipxe-script.ts';
import { createServerLookup, type BootServer, type ServerLookup } from './server-lookup.ts';
import { createSourcePolicy } from './source-policy.ts';
import { taskWantsInstaller } from './task-wants-installer.ts';

/**
 * Issues the installer's one-time agent token for a task: only its hash is stored, and issuing a new one
 * invalidates the previous one. Null when the task no longer wants an installer (its agent already reported).
 * Default: the agent protocol's issueInstallerToken() over TaskService.issueAgentToken (docs/API.md §10).
 */
export interface AgentTokenIssuer {
  issueInstallerToken(taskId: number): Promise<string | null>;
}

export interface BootServiceOptions {
  boot: Config['boot'];
  dataDir: string;
  /** Default: a builder caching in DATA_DIR/boot/grub, when boot.grubLoader is on. */
  grub?: GrubChainLoader | null;
  /** Default: app.tasks. */
  tokens?: AgentTokenIssuer;
  /** Default: one read of the store per script (server-lookup.ts). */
  lookup?: ServerLookup;
}

/** The reasons a boot script may report through GET /boot/{mac}/boot-failed?reason=. */
export const bootFailureReasons = ['legacy-sanboot-failed', 'uefi-loader-failed', 'uefi-no-chain-loader'] as const;
export type BootFailureReason = (typeof bootFailureReasons)[number];

/** Names of the rescue files the boot service serves from boot.rescueDir (or points to under boot.rescueUrl). */
export const rescueFiles = ['vmlinuz', 'initrd.img'] as const;

const scriptHeaders = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } as const;

/**
 * The boot service: the iPXE scripts of `GET /boot/{mac}.ipxe` and what they fetch. Unauthenticated like any
 * PXE service; who gets what is in docs/OPERATIONS.md ("Boot service"). Every answer to iPXE is a script
 * that boots, retries or says why not, never an error page that leaves iPXE stuck.
 *
 *   GET /boot/{mac}.ipxe                      the server's script (MAC in any notation)
 *   GET /boot/ipxe/chain.ipxe                 one static script for DHCP: chains to /boot/${netX/mac}.ipxe
 *   GET /boot/grub/{mac}/byoi-chain.efi       the GRUB EFI chain loader for that server's efiBootloaderPath
 *   GET /boot/grub/{mac}/grub.cfg             its embedded configuration (to read, not used at boot)
 *   GET /boot/{mac}/boot-failed?reason=R      a script reports that the disk did not boot
 *   GET /boot/rescue/vmlinuz, initrd.img      the rescue system, from boot.rescueDir
 */
export function bootServicePlugin(options: BootServiceOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const boot = options.boot;
    const rescueDir = boot.rescueDir ?? join(options.dataDir, 'rescue');
    const grub = options.grub !== undefined ? options.grub : boot.grubLoader ? createGrubChainLoader({ cacheDir: join(options.dataDir, 'boot', 'grub') }) : null;
    const tokens: AgentTokenIssuer = options.tokens ?? { issueInstallerToken: (taskId) => issueInstallerToken(app.tasks, taskId) };
    const lookup = options.lookup ?? createServerLookup(app.store);
    const policy = createSourcePolicy({ allowedNetworks: boot.allowedNetworks, requireServerIp: boot.requireServerIp });
    const kernelArgs = boot.kernelArgs.split(/\s+/).filter((arg) => arg !== '');
    const unsafeArg = kernelArgs.find((arg) => !isIpxeSafe(arg));
    if (unsafeArg !== undefined) throw new ByoiError('BYOI_CONFIG_INVALID', { key: 'boot.kernelArgs', source: 'configuration', reason: `cannot carry ${JSON.stringify(unsafeArg)} on an iPXE command line` });
    if (grub !== null && !grub.available) app.log.warn({ reason: grub.unavailableReason }, 'boot service: no GRUB EFI chain loader; UEFI servers whose iPXE cannot boot a local disk will fall back to the firmware');
    const quiet = createOncePer(60_000);
    const reported = createOncePer(60_000);

    /** The origin iPXE reached us by (boot.url when set), or undefined when the Host header cannot go into a script. */
    function originOf(request: FastifyRequest): string | undefined {
      if (boot.url !== undefined) return boot.url;
      const host = request.host;
      return /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `${request.protocol}://${host}` : undefined;
    }

    function sendScript(reply: FastifyReply, script: BootScript): FastifyReply {
      return reply.code(200).headers(scriptHeaders).send(renderIpxeScript(script));
    }

    async function scriptFor(request: FastifyRequest, macText: string): Promise<BootScript> {
      const mac = parseMac(macText);
      if (mac === undefined) return { kind: 'bad-mac' };
      const origin = originOf(request);
      if (origin === undefined) return { kind: 'bad-mac' };
      const urlMac = macForUrl(mac);
      const scriptUrl = `${origin}/boot/${urlMac}.ipxe`;
      const retrySeconds = boot.retrySeconds;
      const found = await lookup.byMac(mac);
      if (found === undefined) {
        if (quiet.first(`unknown:${mac}`)) request.log.info({ mac, ip: request.ip }, 'boot: unknown MAC');
        return { kind: 'unknown-mac', mac, scriptUrl, retrySeconds };
      }
      const { server, activeTask } = found;
      const refusal = policy.refusal(request.ip, server);
      if (refusal !== undefined) {
        if (quiet.first(`refused:${mac}:${request.ip}`)) request.log.warn({ mac, ip: request.ip, serviceName: server.serviceName }, `boot: refused: ${refusal}`);
        return { kind: 'refused', mac, reason: refusal, scriptUrl, retrySeconds };
      }
      let choice = decideBoot(server, activeTask);
      let token: string | null = null;
      if (choice.kind === 'installer' && typeof rescueLocation(origin) !== 'string') {
        // Issued only when the script can use it: issuing invalidates the token of an earlier render.
        token = await tokens.issueInstallerToken(choice.task.id);
        lookup.forget(mac);
        // The agent already reported: the server boots what it would without the install.
        if (token === null) choice = decideBoot(server, undefined);
      }
      switch (choice.kind) {
        case 'custom':
          return { kind: 'custom', script: choice.script };
        case 'disk': {
          const reportUrl = `${origin}/boot/${urlMac}/boot-failed`;
          if (choice.bootMode === 'legacy') return { kind: 'disk-legacy', reportUrl };
          const grubUrl = grub?.available ? `${origin}/boot/grub/${urlMac}/byoi-chain.efi` : null;
          return { kind: 'disk-uefi', efiBootloaderPath: choice.efiBootloaderPath, grubUrl, reportUrl };
        }
        case 'rescue':
        case 'installer': {
          const files = rescueLocation(origin);
          if (typeof files === 'string') {
            if (quiet.first(`norescue:${mac}`)) request.log.warn({ mac, serviceName: server.serviceName, where: files }, 'boot: no rescue system to serve');
            return { kind: 'rescue-missing', serverName: server.serviceName, where: files, scriptUrl, retrySeconds };
          }
          const args = [`byoi.control=${origin}`];
          let taskId: number | null = null;
          if (choice.kind === 'installer' && token !== null) {
            args.push(`byoi.token=${token}`);
            taskId = choice.task.id;
            request.log.info({ mac, ip: request.ip, serviceName: server.serviceName, taskId }, 'boot: installer script issued with a fresh one-time agent token');
          }
          return { kind: 'rescue', serverName: server.serviceName, taskId, kernelUrl: files.kernelUrl, initrdUrl: files.initrdUrl, kernelArgs: [...args, ...kernelArgs], scriptUrl, retrySeconds };
        }
      }
    }

    /** Where iPXE downloads the rescue system from, or a sentence saying why there is none. */
    function rescueLocation(origin: string): { kernelUrl: string; initrdUrl: string } | string {
      if (boot.rescueUrl !== undefined) {
        const base = boot.rescueUrl.replace(/\/+$/, '');
        return { kernelUrl: `${base}/vmlinuz`, initrdUrl: `${base}/initrd.img` };
      }
      const missing = rescueFiles.filter((name) => !existsSync(join(rescueDir, name)));
      if (missing.length > 0) return `${missing.join(' and ')} missing in its rescue directory`;
      return { kernelUrl: `${origin}/boot/rescue/vmlinuz`, initrdUrl: `${origin}/boot/rescue/initrd.img` };
    }

    // A boot storm is thousands of these per second: no per-request log lines (logLevel warn); the handler
    // logs what matters (installer tokens issued, unknown MACs once a minute, refusals).
    app.get<{ Params: { file: string } }>('/boot/:file', { logLevel: 'warn' }, async (request, reply) => {
      const { file } = request.params;
      if (!file.endsWith('.ipxe')) return reply.code(404).headers(scriptHeaders).send('not found\n');
      try {
        return sendScript(reply, await scriptFor(request, file.slice(0, -'.ipxe'.length)));
      } catch (error) {
        request.log.error({ err: error }, 'boot: could not render a boot script');
        const mac = parseMac(file.slice(0, -'.ipxe'.length));
        const origin = originOf(request);
        if (mac === undefined || origin === undefined) return sendScript(reply, { kind: 'bad-mac' });
        return sendScript(reply, {
          kind: 'refused',
          mac,
          reason: `the control plane could not answer (query id ${request.id}, see its log)`,
          scriptUrl: `${origin}/boot/${macForUrl(mac)}.ipxe`,
          retrySeconds: boot.retrySeconds,
        });
      }
    });

    app.get('/boot/ipxe/chain.ipxe', { logLevel: 'warn' }, async (request, reply) => {
      const origin = originOf(request);
      if (origin === undefined) return sendScript(reply, { kind: 'bad-mac' });
      // ${netX/mac:hexhyp}: the MAC of the interface iPXE last opened (the one that booted), with hyphens.
      return reply.code(200).headers(scriptHeaders).send(`#!ipxe\nchain --replace --autofree ${origin}/boot/\${netX/mac:hexhyp}.ipxe\n`);
    });

    async function serverForFile(request: FastifyRequest<{ Params: { mac: string } }>, reply: FastifyReply): Promise<BootServer | undefined> {
      const mac = parseMac(request.params.mac);
      const found = mac === undefined ? undefined : await lookup.byMac(mac);
      if (found === undefined) {
        await reply.code(404).headers(scriptHeaders).send('byoi: no server with this MAC address\n');
        return undefined;
      }
      const refusal = policy.refusal(request.ip, found.server);
      if (refusal !== undefined) {
        await reply.code(403).headers(scriptHeaders).send(`byoi: ${refusal}\n`);
        return undefined;
      }
      return found.server;
    }

    app.get<{ Params: { mac: string } }>('/boot/grub/:mac/grub.cfg', async (request, reply) => {
      const server = await serverForFile(request, reply);
      if (server === undefined) return reply;
      return reply.code(200).headers(scriptHeaders).send(renderGrubChainConfig(server.efiBootloaderPath));
    });

    app.get<{ Params: { mac: string } }>('/boot/grub/:mac/byoi-chain.efi', async (request, reply) => {
      const server = await serverForFile(request, reply);
      if (server === undefined) return reply;
      if (grub === null || !grub.available) {
        return reply.code(503).headers(scriptHeaders).send(`byoi: no GRUB EFI chain loader: ${grub?.unavailableReason ?? 'boot.grubLoader is off'}\n`);
      }
      const image = await grub.build(renderGrubChainConfig(server.efiBootloaderPath));
      return reply
        .code(200)
        .headers({ 'content-type': 'application/efi', 'cache-control': 'no-cache', etag: `"${image.sha256}"` })
        .send(image.bytes);
    });

    app.get<{ Params: { mac: string }; Querystring: { reason?: string } }>('/boot/:mac/boot-failed', async (request, reply) => {
      const server = await serverForFile(request, reply);
      if (server === undefined) return reply;
      const reason = request.query.reason;
      if (!isBootFailureReason(reason)) {
        return reply.code(400).headers(scriptHeaders).send(`byoi: reason must be one of ${bootFailureReasons.join(', ')}\n`);
      }
      if (reported.first(`${server.id}:${reason}`)) {
        await recordBootFailure({ app, log: request.log, server, reason, grubReason: grub?.unavailableReason ?? 'boot.grubLoader is off' });
        lookup.forget(server.mac);
      }
      return reply.code(200).headers(scriptHeaders).send('#!ipxe\necho byoi: the control plane recorded the failure\n');
    });

    app.get<{ Params: { name: string } }>('/boot/rescue/:name', async (request, reply) => {
      const name = request.params.name;
      if (!(rescueFiles as readonly string[]).includes(name)) return reply.code(404).headers(scriptHeaders).send('not found\n');
      const path = join(rescueDir, name);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        return reply.code(404).headers(scriptHeaders).send(`byoi: ${name} is not in the rescue directory\n`);
      }
      return reply.code(200).headers({ 'content-type': 'application/octet-stream', 'content-length': String(size), 'cache-control': 'no-cache' }).send(createReadStream(path));
    });
  };
}

function isBootFailureReason(value: unknown): value is BootFailureReason {
  return typeof value === 'string' && (bootFailureReasons as readonly string[]).includes(value);
}

/**
 * A failed disk boot ends the task waiting for it (an install past its switch to the disk, or a reboot) with
 * the catalogue error; with no such task it becomes a notice on the server's last install and a log line.
 */
async function recordBootFailure(input: { app: FastifyInstance; log: FastifyBaseLogger; server: BootServer; reason: BootFailureReason; grubReason: string }): Promise<void> {
  const { app, server } = input;
  const path = server.efiBootloaderPath ?? defaultEfiLoaderPath;
  const error =
    input.reason === 'uefi-no-chain-loader'
      ? new ByoiError('BYOI_BOOT_NO_CHAIN_LOADER', { serverName: server.serviceName, path, reason: input.grubReason })
      : new ByoiError('BYOI_BOOT_DISK_FAILED', {
          serverName: server.serviceName,
          reason:
            input.reason === 'legacy-sanboot-failed'
              ? 'the first disk (drive 0x80) has no legacy boot code, or the firmware does not show it'
              : `efiBootloaderPath ${path} was not found on any disk, or did not start`,
        });
  const failure = { code: error.code, message: error.message };
  const active: ControlTask | undefined = await findActiveTask(app.store, server.id);
  if (active !== undefined && !taskWantsInstaller(active)) {
    await app.tasks.finish(active.id, { ok: false, error: failure });
    input.log.warn({ serviceName: server.serviceName, taskId: active.id, code: error.code }, `boot: ${error.message}`);
    return;
  }
  const latest = await findLatestTask(app.store, server.id, 'reinstallServer');
  if (latest !== undefined) await app.tasks.notice(latest.id, error.message);
  input.log.warn({ serviceName: server.serviceName, code: error.code }, `boot: ${error.message}`);
}

/** Remembers keys for `periodMs`, so a client retrying in a loop is logged or recorded once per period. */
function createOncePer(periodMs: number): { first(key: string): boolean } {
  const seen = new Map<string, number>();
  return {
    first(key) {
      const now = Date.now();
      const last = seen.get(key);
      if (last !== undefined && now - last < periodMs) return false;
      if (seen.size >= 10_000) seen.clear();
      seen.set(key, now);
      return true;
    },
  };
}
