import { agentProtocolVersion, type AgentJob, type AgentResultBody } from '../contract/agent/agent-protocol.ts';
import type { DeployEvent, DeployResult } from '../contract/deploy-events.ts';
import { ByoiError, isByoiError, type ErrorRecord } from '../contract/errors/byoi-error.ts';
import { deployImage } from '../deploy/pipeline/deploy-image.ts';
import { displayUrl } from '../deploy/source/display-url.ts';
import { AgentCallError, createAgentClient } from './agent-client.ts';
import { silentAgentLog, type AgentLog } from './agent-log.ts';
import { createEventForwarder } from './event-forwarder.ts';
import { jobToDeployOptions } from './job-to-deploy-options.ts';
import { listBlockDevices } from './list-block-devices.ts';
import { retryWithBackoff } from './retry-with-backoff.ts';
import { selectTargetDisk } from './select-target-disk.ts';
import { startHeartbeat } from './start-heartbeat.ts';

export interface RunAgentOptions {
  /** The control plane's origin (byoi.control on the kernel command line). */
  control: string;
  /** The one-time agent token (byoi.token). A secret: never logged. */
  token: string;
  /** PEM of a CA to trust for the control plane (and for images it serves itself). */
  ca?: string;
  /** Write here instead of the job's disk (a file path, or a device). */
  disk?: string;
  /** Where sysfs is, for finding the target disk by size, serial or WWN. @default "/sys" */
  sysRoot?: string;
  /**
   * A power cut: when it fires the agent stops at once and reports nothing more, as a server losing power would
   * (the lease then ends the task). The `local` power driver uses it; the CLI never does.
   */
  signal?: AbortSignal;
  log?: AgentLog;
  /** How long to keep trying to fetch the job while the control plane cannot be reached. @default 10 min */
  jobDeadlineMs?: number;
  /** How long to keep trying to post the result. @default 6 h: a result must not be lost to an outage */
  resultDeadlineMs?: number;
  /** How long events gather before a batch is posted. @default 1000 */
  eventIntervalMs?: number;
  /** Per-request timeout. @default 30000 */
  requestTimeoutMs?: number;
}

/** How one agent run ended. */
export interface AgentOutcome {
  /** True when the image was deployed and the control plane recorded it. */
  ok: boolean;
  taskId: number | null;
  /** The catalogue code of the failure, if the deploy failed. */
  code: string | null;
  message: string;
  /** Whether the control plane accepted this run's result (false: never reached, duplicate or too late). */
  reported: boolean;
}

/**
 * One installer run, the whole agent protocol (docs/API.md "Agent protocol"): fetch the job (retrying while the
 * control plane cannot be reached), pick the target disk, run deployImage() with the job's options, forward its
 * events in numbered batches, heartbeat on a timer, then flush the events and post the result, retrying until
 * the control plane takes it. A 401 (another installer took the task) or 410 (the task ended, e.g. cancelled)
 * stops the deploy. Nothing secret is logged.
 *
 * @example
 * ```ts
 * const outcome = await runAgent({ control: 'https://cp.example:8443', token, log: lineAgentLog((l) => process.stderr.write(l)) });
 * process.exitCode = outcome.ok ? 0 : 1;
 * ```
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentOutcome> {
  const log = options.log ?? silentAgentLog;
  const powerCut = options.signal;
  const client = createAgentClient({
    control: options.control,
    token: options.token,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    timeoutMs: options.requestTimeoutMs ?? 30_000,
  });
  const cut = (taskId: number | null): AgentOutcome => ({ ok: false, taskId, code: null, message: 'stopped: the power was cut', reported: false });
  const retryable = (error: unknown) => error instanceof AgentCallError && error.retryable;
  try {
    let job: AgentJob;
    try {
      job = await retryWithBackoff(() => client.getJob(powerCut), { minDelayMs: 500, maxDelayMs: 10_000, deadlineMs: options.jobDeadlineMs ?? 600_000 }, {
        isRetryable: retryable,
        ...(powerCut === undefined ? {} : { signal: powerCut }),
        onRetry: (error, attempt) => log.warn('cannot fetch the job yet; retrying', { attempt, reason: (error as Error).message }),
      });
    } catch (error) {
      if (powerCut?.aborted === true) return cut(null);
      log.error('cannot fetch the job', { reason: (error as Error).message });
      return { ok: false, taskId: null, code: null, message: `cannot fetch the job: ${(error as Error).message}`, reported: false };
    }
    if (job.protocol !== agentProtocolVersion) {
      return { ok: false, taskId: job.taskId, code: null, message: `the control plane speaks agent protocol ${String(job.protocol)}, this agent ${agentProtocolVersion}`, reported: false };
    }
    log.info('job received', { taskId: job.taskId, server: job.serverName, image: safeDisplayUrl(job.image.url), imageType: job.image.type, bootMode: job.bootMode });

    // The deploy stops when the power is cut or when the control plane says the task is no longer ours.
    const stopDeploy = new AbortController();
    const onPowerCut = () => stopDeploy.abort(new Error('power cut'));
    powerCut?.addEventListener('abort', onPowerCut, { once: true });
    let lost: AgentCallError | null = null;
    const onFatal = (error: AgentCallError) => {
      if (lost !== null) return;
      lost = error;
      log.warn(error.tokenRefused ? 'another installer took over this task: stopping' : 'the task ended: stopping', { reason: error.message });
      stopDeploy.abort(error);
    };
    const heartbeat = startHeartbeat(client, job.heartbeatSeconds, onFatal, log);
    const forwarder = createEventForwarder({
      send: (batch) => client.postEvents(batch),
      onFatal,
      onTrouble: ({ failing, reason }) =>
        failing ? log.warn('cannot post events; keeping them and retrying', { reason }) : log.info('events delivered again'),
      ...(options.eventIntervalMs === undefined ? {} : { intervalMs: options.eventIntervalMs }),
    });

    const logDeployEvent = eventLogger(log);
    let result: DeployResult | null = null;
    let failure: ErrorRecord | null = null;
    try {
      const disk = await chooseDisk(job, options);
      log.info('target disk', { disk });
      result = await deployImage(
        jobToDeployOptions(job, disk, {
          ...(options.ca === undefined ? {} : { ca: options.ca }),
          signal: stopDeploy.signal,
          onEvent: (event) => {
            forwarder.push(event);
            logDeployEvent(event);
          },
        }),
      );
    } catch (error) {
      failure = toErrorRecord(error);
    } finally {
      powerCut?.removeEventListener('abort', onPowerCut);
    }

    try {
      if (powerCut?.aborted === true) {
        forwarder.stop();
        return cut(job.taskId);
      }
      const gone = lost as AgentCallError | null;
      if (gone?.tokenRefused === true) {
        forwarder.stop();
        return { ok: false, taskId: job.taskId, code: failure?.code ?? null, message: 'another installer took over this task', reported: false };
      }
      // Step changes first, then the result that ends the task.
      if (!(await forwarder.flush(30_000))) log.warn('some events could not be delivered before the result', { dropped: forwarder.dropped });
      forwarder.stop();
      const body: AgentResultBody = result !== null ? { ok: true, result: result as unknown as Record<string, unknown> } : { ok: false, error: failure as ErrorRecord };
      let accepted = false;
      let taskStatus = 'unknown';
      try {
        const reply = await retryWithBackoff(
          () => client.postResult(body, powerCut),
          { minDelayMs: 1000, maxDelayMs: 30_000, deadlineMs: options.resultDeadlineMs ?? 6 * 3600_000 },
          {
            isRetryable: retryable,
            ...(powerCut === undefined ? {} : { signal: powerCut }),
            onRetry: (error, attempt) => log.warn('cannot post the result yet; retrying', { attempt, reason: (error as Error).message }),
          },
        );
        accepted = reply.accepted;
        taskStatus = reply.taskStatus;
      } catch (error) {
        if (isAborted(powerCut)) return cut(job.taskId);
        if (!(error instanceof AgentCallError && error.taskEnded)) {
          log.error('cannot post the result', { reason: (error as Error).message });
          return { ok: false, taskId: job.taskId, code: failure?.code ?? null, message: `cannot post the result: ${(error as Error).message}`, reported: false };
        }
        taskStatus = 'ended';
      }
      if (result !== null) {
        log.info(accepted ? 'deployed; the control plane has the result' : 'deployed, but the task had ended', { taskStatus, seconds: result.seconds });
        return {
          ok: accepted,
          taskId: job.taskId,
          code: null,
          message: accepted ? 'deployed' : `deployed, but the task had already ended (${taskStatus})`,
          reported: accepted,
        };
      }
      const record = failure as ErrorRecord;
      log.error('deploy failed', { code: record.code, message: record.message });
      return { ok: false, taskId: job.taskId, code: record.code, message: record.message, reported: accepted };
    } finally {
      heartbeat.stop();
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Read through a function: TypeScript narrows `signal.aborted` once and misses that it changes while awaiting. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

async function chooseDisk(job: AgentJob, options: RunAgentOptions): Promise<string> {
  if (options.disk !== undefined) return options.disk;
  if (job.disk.path !== undefined) return job.disk.path;
  return selectTargetDisk(job, await listBlockDevices(options.sysRoot)).path;
}

/** The failure as it crosses the wire: a catalogue error's record, anything else BYOI_INTERNAL (never its text). */
function toErrorRecord(error: unknown): ErrorRecord {
  if (isByoiError(error) && typeof (error as ByoiError).toRecord === 'function') return (error as ByoiError).toRecord();
  return new ByoiError('BYOI_INTERNAL', { phase: 'running the installer' }, { detail: (error as Error)?.name ?? 'unknown error' }).toRecord();
}

function safeDisplayUrl(url: string): string {
  try {
    return displayUrl(url);
  } catch {
    return '(not a URL)';
  }
}

const progressLogIntervalMs = 5000;

/** The log lines of one run's deploy events: phases, progress every 5 s at most, notices and warnings. */
function eventLogger(log: AgentLog): (event: DeployEvent) => void {
  let lastProgressLog = 0;
  return (event) => logEvent(log, event, () => {
    const now = Date.now();
    if (now - lastProgressLog < progressLogIntervalMs) return false;
    lastProgressLog = now;
    return true;
  });
}

function logEvent(log: AgentLog, event: DeployEvent, progressDue: () => boolean): void {
  switch (event.type) {
    case 'phase.start':
      log.info(`phase ${event.phase}`);
      break;
    case 'write.progress': {
      if (!progressDue()) return;
      log.info('writing', { bytesDownloaded: event.bytesDownloaded, bytesTotal: event.bytesTotal ?? 'unknown', rate: event.rate, etaSeconds: event.etaSeconds ?? 'unknown' });
      break;
    }
    case 'download.notice':
      log.warn(event.message, { what: event.what });
      break;
    case 'warning':
      log.warn(event.warning.message, { code: event.warning.code });
      break;
    default:
      break;
  }
}
