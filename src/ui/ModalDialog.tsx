import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal dialog (the browser's <dialog>: focus moves into it and stays there, Escape closes it,
 * the page behind is inert). Render it only while it is open; `onClose` runs however it closes.
 */
export function ModalDialog(props: {
  title: string;
  onClose: () => void;
  testId?: string;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="modal"
      aria-labelledby="modal-title"
      data-testid={props.testId}
      onClose={props.onClose}
    >
      <h2 id="modal-title">{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** A question before something that cannot be undone: the action button and a way back. */
export function ConfirmDialog(props: {
  title: string;
  confirm: string;
  cancel: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <ModalDialog title={props.title} onClose={props.onClose} testId="confirm-dialog">
      {props.children}
      <form method="dialog" class="modal-actions">
        <button type="submit" value="cancel" autoFocus>
          {props.cancel}
        </button>
        <button
          type="button"
          class="primary danger-fill"
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
        >
          {props.confirm}
        </button>
      </form>
    </ModalDialog>
  );
}
