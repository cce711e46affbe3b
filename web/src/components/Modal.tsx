import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A daisyUI modal on the native <dialog>: focus moves into it and stays there, Escape closes it, and focus
 * returns to what opened it.
 */
export function Modal({ open, title, onClose, children, actions }: { open: boolean; title: string; onClose: () => void; children: ReactNode; actions: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} className="modal modal-bottom sm:modal-middle" onClose={onClose} aria-labelledby="modal-title">
      <div className="modal-box">
        <h3 id="modal-title" className="text-lg font-bold">
          {title}
        </h3>
        <div className="py-3">{children}</div>
        <div className="modal-action">{actions}</div>
      </div>
      <form method="dialog" className="modal-backdrop">
        <button type="submit" aria-label="Close">
          close
        </button>
      </form>
    </dialog>
  );
}
