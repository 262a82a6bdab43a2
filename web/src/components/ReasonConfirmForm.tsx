// Decisions kept with their reason: the reason field (with the characters left), and
// ReasonConfirmForm, the two-step flow of the corrections on the review page: fill in the form,
// check it, then confirm in words what will be recorded.
import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { FieldError } from "./FormParts";

const MAX_REASON = 1000;

// The reason for a decision, kept with it: up to MAX_REASON characters, with how many are left.
export function ReasonField({
  id,
  label = "Reason",
  value,
  onChange,
  error,
  hint,
}: {
  id: string;
  label?: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <p className="hint" id={`${id}-hint`}>
        {hint} Up to {MAX_REASON} characters ({MAX_REASON - value.length} left).
      </p>
      {error && <FieldError id={`${id}-error`}>{error}</FieldError>}
      <textarea
        id={id}
        value={value}
        maxLength={MAX_REASON}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

// The form's own fields (above the reason) are drawn by `fields`, given an id prefix, their
// error and `changed`, to call on every edit: it withdraws a confirmation already asked for.
export interface OwnFields {
  uid: string;
  error?: string;
  changed: () => void;
}

export function ReasonConfirmForm<R>({
  title,
  hint,
  fields,
  check,
  reasonHint,
  openButton,
  confirmLabel,
  confirmText,
  confirmButton,
  send,
  failure,
  done,
  onDone,
}: {
  title: string;
  hint: string;
  fields: (f: OwnFields) => ReactNode;
  // The error in the form's own fields, if any.
  check: () => string | undefined;
  reasonHint: string;
  // "Merge…": asks for the confirmation.
  openButton: string;
  // The confirmation: its accessible name, what it says will be recorded, its button.
  confirmLabel: string;
  confirmText: ReactNode;
  confirmButton: string;
  send: (reason: string) => Promise<R>;
  // Why sending failed, in plain words.
  failure: (e: unknown) => string;
  // What was recorded.
  done: (r: R) => ReactNode;
  onDone?: (r: R) => void;
}) {
  const uid = useId();
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<{ own?: string; reason?: string }>({});
  const [failed, setFailed] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<R | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  function ask(e: FormEvent) {
    e.preventDefault();
    const errs = { own: check(), reason: reason.trim() ? undefined : "Give a reason: it is kept with the decision." };
    setErrors(errs);
    setFailed(null);
    if (!errs.own && !errs.reason) setConfirming(true);
  }

  async function submit() {
    setBusy(true);
    setFailed(null);
    try {
      const r = await send(reason.trim());
      setResult(r);
      setConfirming(false);
      onDone?.(r);
      setTimeout(() => resultRef.current?.focus(), 0);
    } catch (e) {
      setFailed(failure(e));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  if (result !== null) {
    return (
      <div className="notice notice-success" role="status" tabIndex={-1} ref={resultRef}>
        {done(result)}
      </div>
    );
  }

  return (
    <form className="review-correction" onSubmit={ask} noValidate aria-labelledby={`${uid}-title`}>
      <p className="review-correction-title" id={`${uid}-title`}>
        {title}
      </p>
      <p className="hint">{hint}</p>
      {failed && (
        <div className="notice notice-error" role="alert">
          {failed}
        </div>
      )}
      {fields({ uid, error: errors.own, changed: () => setConfirming(false) })}
      <ReasonField
        id={`${uid}-reason`}
        value={reason}
        onChange={(v) => {
          setReason(v);
          setConfirming(false);
        }}
        error={errors.reason}
        hint={reasonHint}
      />
      {confirming ? (
        <div className="review-confirm" role="group" aria-label={confirmLabel}>
          <p>{confirmText}</p>
          <div className="button-row">
            <button type="button" onClick={submit} disabled={busy} autoFocus>
              {busy ? "Recording…" : confirmButton}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="submit">{openButton}</button>
      )}
    </form>
  );
}
