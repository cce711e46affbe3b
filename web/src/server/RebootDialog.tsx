import { useState } from 'react';
import { messageOf } from '../api/api-error.ts';
import { api, segment } from '../api/client.ts';
import type { TaskReply } from '../api/types.ts';
import { navigate } from '../app/router.tsx';
import { Modal } from '../components/Modal.tsx';

/** Confirms a hard reboot (POST .../reboot), then opens its task. */
export function RebootDialog({ open, serviceName, onClose, onChanged }: { open: boolean; serviceName: string; onClose: () => void; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reboot = async () => {
    setBusy(true);
    setError(null);
    try {
      const task = await api<TaskReply>('POST', `/dedicated/server/${segment(serviceName)}/reboot`);
      onChanged();
      onClose();
      navigate({ page: 'task', serviceName, taskId: task.taskId });
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={`Reboot ${serviceName}?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-warning" disabled={busy} onClick={() => void reboot()}>
            Reboot
          </button>
        </>
      }
    >
      <p>This is a hard reboot: the server is reset by its power driver, without a clean shutdown, and starts from its current boot option.</p>
      {error !== null && (
        <p role="alert" className="mt-2 text-error">
          {error}
        </p>
      )}
    </Modal>
  );
}
