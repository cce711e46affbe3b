import { api, segment } from '../api/client.ts';
import type { TaskReply } from '../api/types.ts';
import { navigate } from '../app/router.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';

/** Confirms a hard reboot (POST .../reboot), then opens its task. */
export function RebootDialog({ open, serviceName, onClose, onChanged }: { open: boolean; serviceName: string; onClose: () => void; onChanged: () => void }) {
  const reboot = async () => {
    const task = await api<TaskReply>('POST', `/dedicated/server/${segment(serviceName)}/reboot`);
    onChanged();
    onClose();
    navigate({ page: 'task', serviceName, taskId: task.taskId });
  };
  return (
    <ConfirmDialog open={open} title={`Reboot ${serviceName}?`} confirmLabel="Reboot" confirmClass="btn-warning" onConfirm={reboot} onClose={onClose}>
      <p>This is a hard reboot: the server is reset by its power driver, without a clean shutdown, and starts from its current boot option.</p>
    </ConfirmDialog>
  );
}
