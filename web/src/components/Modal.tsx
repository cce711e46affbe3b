import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A daisyUI modal on the native <dialog>: focus moves into it and stays there, Escape closes it, and focus
 * returns to what opened it.
 */
export function Modal({ open, title, onClose, children, actions }: { open: boolean; title: string; onClose: () => void; children: ReactNode; actions: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId(); // one page can hold several modals (a server's boot mode and reboot)
  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} className="modal modal-bottom sm:modal-middle" onClose={onClose} aria-labelledby={titleId}>
      <div className="modal-box">
        <h3 id={titleId} className="text-lg font-bold">
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
