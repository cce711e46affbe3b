import type { AgentRunner } from '../agent/agent-runner.ts';
import type { ClusterChannel } from './cluster-messages.ts';

/**
 * The runner as the agent routes of a follower worker see it: the real one runs in the leader worker, so the
 * calls go there through the primary. It claims nothing (start and stop do nothing). A call lost because the
 * leader is restarting is not lost work: the new leader resumes its tasks from the database (a stored result
 * finishes the install).
 */
export function createRelayedRunner(owner: string, channel: ClusterChannel): AgentRunner {
  return {
    name: 'agent',
    owner,
    async start() {},
    async stop() {},
    completeInstall: (taskId) => channel.send({ byoi: 'runner', call: 'completeInstall', taskId }),
    firstBootConfirmed: (taskId) => channel.send({ byoi: 'runner', call: 'firstBootConfirmed', taskId }),
  };
}

/** In the leader: runs the calls the followers' agent routes relayed. */
export function serveRelayedRunnerCalls(channel: ClusterChannel, runner: AgentRunner): () => void {
  return channel.onMessage((message) => {
    if (message.byoi !== 'runner') return;
    if (message.call === 'completeInstall') runner.completeInstall(message.taskId);
    else runner.firstBootConfirmed(message.taskId);
  });
}
