import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import { createLocalPowerDriver, type LocalPowerDriver } from '../power/local-driver.ts';
import type { PowerDriver } from '../power/power-driver.ts';
import { createAgentRunner, type AgentRunner } from './agent-runner.ts';
import { agentRoutes } from './agent-routes.ts';
import { createControlEndpoint } from './control-endpoint.ts';

export interface AgentExtensions {
  taskRunner: AgentRunner;
  /** `local`, plus any drivers given. */
  powerDrivers: Map<string, PowerDriver>;
  plugins: Array<(app: FastifyInstance) => Promise<void>>;
  localDriver: LocalPowerDriver;
  /** Stops the installers running in this process (the `local` driver's): call when the process ends. */
  close(): Promise<void>;
}

export interface AgentExtensionsOptions {
  /** PEM of the CA of the control plane's TLS certificate, for in-process installers; default: DATA_DIR/dev-ca.pem with --dev-tls. */
  ca?: string;
  /** Power drivers besides `local` (qemu, redfish, ipmi: the boot engineer's). */
  drivers?: ReadonlyArray<PowerDriver>;
  /** A `local` driver to share (tests keep one across a control-plane restart, as a host keeps its virtual servers). */
  localDriver?: LocalPowerDriver;
  owner?: string;
  pollIntervalMs?: number;
  /** A runner to use instead of making one: a follower worker's relay to the leader's (cluster/relayed-runner.ts). */
  runner?: AgentRunner;
}

/** The agent protocol's part of `byoi serve`: the runner, the `local` power driver and the agent routes. */
export function createAgentExtensions(config: Config, options: AgentExtensionsOptions = {}): AgentExtensions {
  const localDriver = options.localDriver ?? createLocalPowerDriver();
  const endpoint = createControlEndpoint({
    host: config.host,
    ca: () => {
      if (options.ca !== undefined) return options.ca;
      const devCa = join(config.dataDir, 'dev-ca.pem');
      return config.tls.dev && existsSync(devCa) ? readFileSync(devCa, 'utf8') : undefined;
    },
  });
  const powerDrivers = new Map<string, PowerDriver>([[localDriver.name, localDriver]]);
  for (const driver of options.drivers ?? []) powerDrivers.set(driver.name, driver);
  const taskRunner =
    options.runner ??
    createAgentRunner({
      drivers: powerDrivers,
      endpoint,
      ...(options.owner === undefined ? {} : { owner: options.owner }),
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      onStart: (context) => localDriver.useLog(context.log),
    });
  return {
    taskRunner,
    powerDrivers,
    plugins: [agentRoutes({ runner: taskRunner, endpoint })],
    localDriver,
    close: () => localDriver.shutdown(),
  };
}
