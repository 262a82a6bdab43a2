// The purposes catalogue (every request for personal data names one of these), with the
// agreements that use each; information-governance officers can add a purpose or change one.
import { useRef, useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import { Link } from "../lib/router";
import type { Loaded } from "../lib/useApi";
import type { Agreement, Purpose } from "../lib/types";
import { ErrorNotice, Loading } from "./Status";
import { formatDateTime } from "../lib/format";
import { actorName } from "./GovCommon";
import { TableHead } from "./TableHead";
import { Choice, Field, FormProblem, SubmitRow, useFormProblem } from "./FormParts";

interface Props {
  purposes: Loaded<{ purposes: Purpose[] }>;
  agreements: Agreement[];
  canEdit: boolean;
}

const EMPTY = { code: "", name: "", description: "", active: true };

export function GovPurposes({ purposes, agreements, canEdit }: Props) {
  const [form, setForm] = useState(EMPTY);
  const [editingCode, setEditingCode] = useState<string | null>(null);
  const problem = useFormProblem();
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const list = purposes.data?.purposes ?? [];

  function edit(p: Purpose) {
    setForm({ code: p.code, name: p.name, description: p.description, active: p.active });
    setEditingCode(p.code);
    problem.clear();
    setDone(null);
    window.setTimeout(() => formRef.current?.querySelector<HTMLInputElement>("#purpose-name")?.focus(), 0);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    if (!form.code.trim() || !form.name.trim()) return problem.report("Give the purpose a code and a name.");
    setBusy(true);
    try {
      await api("/purposes", { method: "POST", body: { ...form, code: form.code.trim(), name: form.name.trim(), description: form.description.trim() } });
      setDone(editingCode ? `Purpose "${form.name.trim()}" saved.` : `Purpose "${form.name.trim()}" added.`);
      setForm(EMPTY);
      setEditingCode(null);
      problem.clear();
      purposes.reload();
    } catch (err) {
      problem.report(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="purposes-title" className="gov-section">
      <h2 id="purposes-title">Purposes</h2>
      <p className="hint">The reasons staff may state for seeing personal data. A purpose opens data only through an agreement in force that names it.</p>
      {purposes.loading && <Loading what="purposes" />}
      {purposes.error && <ErrorNotice error={purposes.error} what="purposes" />}
      {purposes.data && list.length === 0 && <p>No purposes have been recorded yet.</p>}
      {list.length > 0 && (
        <table>
          <caption>The purposes catalogue</caption>
          <TableHead
            columns={["Purpose", "Code", "What it covers", "Status", "Agreements using it", canEdit && "Last changed", canEdit && <span className="gov-sr">Actions</span>]}
          />
          <tbody>
            {list.map((p) => {
              const using = agreements.filter((a) => a.purpose === p.code);
              return (
                <tr key={p.code}>
                  <th scope="row">{p.name}</th>
                  <td className="gov-code">{p.code}</td>
                  <td>{p.description}</td>
                  <td>{p.active ? "Active" : "Inactive"}</td>
                  <td>
                    {using.length === 0
                      ? "None"
                      : using.map((a, i) => (
                          <span key={a.code}>
                            {i > 0 && ", "}
                            <Link to={`/agreements/${encodeURIComponent(a.code)}`}>{a.code}</Link>
                          </span>
                        ))}
                  </td>
                  {canEdit && (
                    <td>
                      {formatDateTime(p.updated_at)}
                      <br />
                      <span className="muted">by {actorName(p.updated_by)}</span>
                    </td>
                  )}
                  {canEdit && (
                    <td>
                      <button type="button" className="button-secondary button-small" onClick={() => edit(p)} aria-label={`Change purpose ${p.name}`}>
                        Change
                      </button>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      {canEdit && (
        <form ref={formRef} className="gov-form" onSubmit={submit} noValidate aria-labelledby="purpose-form-title">
          <h3 id="purpose-form-title">{editingCode ? `Change purpose: ${editingCode}` : "Add a purpose"}</h3>
          <FormProblem state={problem} />
          {done && (
            <div className="notice notice-success" role="status">
              {done}
            </div>
          )}
          <div className="gov-form-grid">
            <Field id="purpose-code" label="Code" hint={`Lower-case letters, digits and _; starts with a letter. For example "adult_safeguarding".`}>
              <input id="purpose-code" value={form.code} readOnly={editingCode !== null} onChange={(e) => setForm({ ...form, code: e.target.value })} autoComplete="off" />
            </Field>
            <Field id="purpose-name" label="Name" hint={`As staff will see it: "Adult safeguarding".`}>
              <input id="purpose-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" />
            </Field>
          </div>
          <Field id="purpose-description" label="What it covers">
            <textarea id="purpose-description" rows={2} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </Field>
          <Choice type="checkbox" id="purpose-active" label="Active (staff may state it)" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          <SubmitRow
            label={editingCode ? "Save purpose" : "Add purpose"}
            busyLabel="Saving…"
            busy={busy}
            onCancel={
              editingCode
                ? () => {
                    setForm(EMPTY);
                    setEditingCode(null);
                    problem.clear();
                  }
                : undefined
            }
          />
        </form>
      )}
    </section>
  );
}
