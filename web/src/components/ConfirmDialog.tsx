import { useEffect, useState, type ReactNode } from 'react';
import { messageOf } from '../api/api-error.ts';
import { Modal } from './Modal.tsx';

/**
 * A modal that asks before an API call: a way out, and one button that runs `onConfirm`. The button is disabled
 * while the call runs; a failure stays in the dialog (the API's message) so the user can try again or leave.
 * `onConfirm` closes the dialog itself when it succeeds (some callers navigate away after closing).
 */
export function ConfirmDialog({
  open,
  title,
  confirmLabel,
  confirmClass = 'btn-primary',
  cancelLabel = 'Cancel',
  onConfirm,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** The daisyUI colour of the confirm button: btn-primary, btn-warning, btn-error. */
  confirmClass?: string;
  cancelLabel?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) setError(null); // a failure from the last time it was open is not this time's
  }, [open]);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={title}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {cancelLabel}
          </button>
          <button type="button" className={`btn ${confirmClass}`} disabled={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      {error !== null && (
        <p role="alert" className="mt-2 text-error">
          {error}
        </p>
      )}
    </Modal>
  );
}
