// The pieces the hub's forms are made of: a labelled field with its hint, a field's error, a
// choice from a list, a period's two dates, radio buttons and checkboxes, the problem that stopped
// a form (focused, so a screen reader hears it), and the row of submit and cancel buttons.
import { cloneElement, useRef, useState, type InputHTMLAttributes, type ReactElement, type ReactNode, type SelectHTMLAttributes } from "react";

// A label, an optional hint, then the control (`children`, whose id is `id`): the hint is named
// by the control's aria-describedby. `className` "" leaves the wrapper unstyled.
export function Field({
  id,
  label,
  hint,
  className = "field",
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  className?: string;
  children: ReactElement;
}) {
  return (
    <div className={className || undefined}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {hint ? cloneElement(children, { "aria-describedby": `${id}-hint` }) : children}
    </div>
  );
}

// A field's error, shown above the field and named by the field's aria-describedby.
export function FieldError({ id, className = "review-field-error", children }: { id: string; className?: string; children: ReactNode }) {
  return (
    <p className={className} id={id}>
      <span className="review-sr">Error: </span>
      {children}
    </p>
  );
}

export interface Option {
  value: string;
  label: ReactNode;
}

// A <select> of `options`, after a first empty choice `placeholder` ("Any agency") if given.
export function Select({
  options,
  placeholder,
  onChoose,
  ...rest
}: { options: Option[]; placeholder?: string; onChoose: (value: string) => void } & Omit<SelectHTMLAttributes<HTMLSelectElement>, "onChange">) {
  return (
    <select {...rest} onChange={(e) => onChoose(e.target.value)}>
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

// The two ends of a period, as inputs `${idPrefix}-from` and `${idPrefix}-to` of `type`, each a
// Field (with `className`), labelled `labels` and hinted `hints`.
export function DateRange({
  idPrefix,
  type = "date",
  from,
  to,
  onFrom,
  onTo,
  labels = ["From", "To"],
  hints = [],
  className,
}: {
  idPrefix: string;
  type?: "date" | "datetime-local";
  from: string;
  to: string;
  onFrom: (value: string) => void;
  onTo: (value: string) => void;
  labels?: [ReactNode, ReactNode];
  hints?: ReactNode[];
  className?: string;
}) {
  return (
    <>
      <Field id={`${idPrefix}-from`} label={labels[0]} hint={hints[0]} className={className}>
        <input id={`${idPrefix}-from`} type={type} value={from} onChange={(e) => onFrom(e.target.value)} />
      </Field>
      <Field id={`${idPrefix}-to`} label={labels[1]} hint={hints[1]} className={className}>
        <input id={`${idPrefix}-to`} type={type} value={to} onChange={(e) => onTo(e.target.value)} />
      </Field>
    </>
  );
}

// One radio button or checkbox and its label, with the hint under the label if given; any other
// attributes go to the <input>.
export function Choice({
  type,
  id,
  label,
  hint,
  "aria-describedby": describedBy,
  ...input
}: { type: "radio" | "checkbox"; id: string; label: ReactNode; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const labelled = <label htmlFor={id}>{label}</label>;
  return (
    <div className={type}>
      <input type={type} id={id} aria-describedby={describedBy ?? (hint ? `${id}-hint` : undefined)} {...input} />
      {hint ? (
        <div>
          {labelled}
          <p className="hint" id={`${id}-hint`}>
            {hint}
          </p>
        </div>
      ) : (
        labelled
      )}
    </div>
  );
}

export interface RadioOption<V extends string> {
  value: V;
  label: ReactNode;
  hint?: ReactNode;
  describedBy?: string;
}

// A choice of one of `options` by radio buttons named `name`, with ids `${name}-${value}`.
export function RadioGroup<V extends string>({ name, options, value, onChange }: { name: string; options: RadioOption<V>[]; value: string; onChange: (value: V) => void }) {
  return (
    <>
      {options.map((o) => (
        <Choice
          key={o.value}
          type="radio"
          id={`${name}-${o.value}`}
          name={name}
          value={o.value}
          checked={value === o.value}
          onChange={() => onChange(o.value)}
          label={o.label}
          hint={o.hint}
          aria-describedby={o.describedBy}
        />
      ))}
    </>
  );
}

// The problem that stopped a form: `report` shows it and moves focus to it.
export function useFormProblem() {
  const [problem, setProblem] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  function report(text: string) {
    setProblem(text);
    window.setTimeout(() => ref.current?.focus(), 0);
  }
  return { problem, report, clear: () => setProblem(null), ref };
}

export function FormProblem({ state, className, lead }: { state: ReturnType<typeof useFormProblem>; className?: string; lead?: ReactNode }) {
  if (!state.problem) return null;
  return (
    <div className={className ? `notice notice-error ${className}` : "notice notice-error"} role="alert" tabIndex={-1} ref={state.ref}>
      {lead && (
        <>
          <strong>{lead}</strong>{" "}
        </>
      )}
      {state.problem}
    </div>
  );
}

// Submit (saying `busyLabel` while busy) and, when `onCancel` is given, Cancel.
export function SubmitRow({
  label,
  busyLabel,
  busy,
  className,
  onCancel,
}: {
  label: string;
  busyLabel: string;
  busy: boolean;
  className?: string;
  onCancel?: () => void;
}) {
  return (
    <div className="button-row">
      <button type="submit" className={className} disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      {onCancel && (
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
