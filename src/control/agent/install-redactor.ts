import type { TaskService } from '../tasks/task-service.ts';

/** Removes the install's header values from a text an agent sent (defence in depth: the agent redacts too). */
export async function installRedactor(tasks: TaskService, taskId: number): Promise<(text: string) => string> {
  const request = await tasks.readInstallRequest(taskId);
  const secrets = (request?.image.httpHeaders ?? []).map((header) => header.value).filter((value) => value.length >= 4);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
