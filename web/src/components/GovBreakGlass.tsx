// Emergency ("break-glass") access for practitioners: when a life or safety is at risk now and
// no agreement covers the purpose, a practitioner may see every dataset (except sealed records)
// for up to 60 minutes. It raises an alert that the information-governance officer reviews, so
// the form says so starkly, sits behind a deliberate first click, and needs a reason.
import { useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import { useSession } from "../lib/session";
import { useApi } from "../lib/useApi";
import { formatDateTime } from "../lib/format";
import type { Purpose } from "../lib/types";
import { Field, FormProblem, Select, SubmitRow, useFormProblem } from "./FormParts";

const MIN_REASON = 10;

export function BreakGlassRequest() {
  const session = useSession();
  const [open, setOpen] = useState(false);
  const purposes = useApi<{ purposes: Purpose[] }>(open ? "/purposes" : null);
  const [purpose, setPurpose] = useState("");
  const [reason, setReason] = useState("");
  const [minutes, setMinutes] = useState("30");
  const problem = useFormProblem();
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState<{ purpose: string; expires_at: string } | null>(null);

  if (!session.hasRole("practitioner")) return null;
  const fail = problem.report;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const m = Number(minutes);
    if (!purpose) return fail("Choose the purpose you need emergency access for.");
    if (reason.trim().length < MIN_REASON) return fail(`Say why this cannot wait, in at least ${MIN_REASON} characters.`);
    if (!Number.isInteger(m) || m < 1 || m > 60) return fail("The duration is a whole number of minutes from 1 to 60.");
    setBusy(true);
    try {
      const r = await api<{ id: number; purpose: string; expires_at: string }>("/session/break-glass", {
        method: "POST",
        body: { purpose, reason: reason.trim(), minutes: m },
      });
      await session.refresh();
      session.state({ purpose, justification: reason.trim() });
      setStarted({ purpose: r.purpose, expires_at: r.expires_at });
      problem.clear();
    } catch (err) {
      fail(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const purposeName = (code: string) => purposes.data?.purposes.find((p) => p.code === code)?.name ?? code;

  return (
    <section className="gov-breakglass" aria-labelledby="breakglass-title">
      <h2 id="breakglass-title">Emergency access (break-glass)</h2>
      {started ? (
        <div className="notice notice-warning" role="status">
          <strong>Emergency access has started</strong> for {purposeName(started.purpose)}, until {formatDateTime(started.expires_at)}. An alert
          has been raised for the information-governance officer, and everything you see is recorded.
        </div>
      ) : !open ? (
        <>
          <p>Only if someone is at risk now and none of your purposes covers what you need.</p>
          <button type="button" className="button-warning" onClick={() => setOpen(true)}>
            I need emergency access
          </button>
        </>
      ) : (
        <form onSubmit={submit} noValidate className="gov-breakglass-form">
          <div className="gov-breakglass-warning" role="note">
            <p>
              <strong>
                <span aria-hidden="true">⚠ </span>Warning: this raises an alert.
              </strong>
            </p>
            <p>
              Your name, reason and everything you open will be reviewed by the information-governance officer. Use it only when a
              person is at immediate risk and waiting for an agreement would put them in danger. Misuse is a disciplinary matter.
            </p>
          </div>
          <FormProblem state={problem} />
          <Field id="bg-purpose" label="Purpose" hint={purposes.loading && "Loading purposes…"}>
            <Select
              id="bg-purpose"
              value={purpose}
              onChoose={setPurpose}
              placeholder="Choose a purpose"
              options={(purposes.data?.purposes ?? []).filter((p) => p.active).map((p) => ({ value: p.code, label: p.name }))}
            />
          </Field>
          <Field id="bg-reason" label="Reason" hint={`Why this cannot wait, with a reference: "Child missing overnight, risk to life, incident 2026/5512".`}>
            <textarea id="bg-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <Field id="bg-minutes" label="Duration in minutes" hint="1 to 60. It ends by itself." className="field gov-field-short">
            <input id="bg-minutes" type="number" min={1} max={60} step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
          </Field>
          <SubmitRow
            label="Start emergency access and raise an alert"
            busyLabel="Starting…"
            busy={busy}
            className="button-warning"
            onCancel={() => {
              setOpen(false);
              problem.clear();
            }}
          />
        </form>
      )}
    </section>
  );
}
