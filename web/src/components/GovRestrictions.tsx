// Restrictions, for information-governance officers: the sealed records and people, recorded
// objections and field exclusions that beat every agreement. Each can be lifted with a reason,
// and new ones made with a reason; the hub audits all three (listing them too, since they name
// people).
import { useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import type { Purpose, Restriction } from "../lib/types";
import { ErrorNotice, Loading } from "./Status";
import { formatDateTime, humanise } from "../lib/format";
import { FIELD_GROUPS, actorName, fieldLabel } from "./GovCommon";
import { TableHead } from "./TableHead";
import { Choice, Field, FormProblem, RadioGroup, Select, useFormProblem, type RadioOption } from "./FormParts";
import { sourceLabel, type Sources } from "../lib/sources";

const KINDS: { code: Restriction["kind"]; label: string; hint: string }[] = [
  { code: "sealed", label: "Sealed", hint: "Invisible to everyone, even to search and under emergency access (for example a court order)." },
  { code: "objection", label: "Objection", hint: "Withheld, and counted as withheld (for example an upheld Article 21 objection)." },
  { code: "field_exclusion", label: "Field exclusion", hint: "Only the chosen fields are withheld." },
];

const TARGETS: RadioOption<Restriction["target"]>[] = [
  { value: "nominal", label: "A person (all their records)" },
  { value: "record", label: "One source record (every version of it)" },
  { value: "dataset", label: "A whole dataset" },
];

function kindLabel(kind: string): string {
  return KINDS.find((k) => k.code === kind)?.label ?? humanise(kind);
}

function TargetText({ r, sources }: { r: Restriction; sources: Sources }) {
  if (r.target === "nominal")
    return (
      <>
        Person <Link to={`/person/${r.nominal_id}/viewers`}>{r.nominal_id}</Link>
      </>
    );
  const dataset = r.source_id ? sourceLabel(r.source_id, sources) : r.source_id;
  if (r.target === "record")
    return (
      <>
        Record <span className="gov-code">{r.record_key}</span> in {dataset}
      </>
    );
  return <>Every record in {dataset}</>;
}

interface Draft {
  kind: Restriction["kind"];
  target: Restriction["target"];
  nominal_id: string;
  source_id: string;
  record_key: string;
  fields: string[];
  purposes: string[];
  reason: string;
}
const EMPTY: Draft = { kind: "sealed", target: "nominal", nominal_id: "", source_id: "", record_key: "", fields: [], purposes: [], reason: "" };

export function GovRestrictions({ purposes, sources }: { purposes: Purpose[]; sources: Sources }) {
  const [showLifted, setShowLifted] = useState(false);
  const list = useApi<{ restrictions: Restriction[] }>("/restrictions", { all: showLifted ? "true" : undefined });
  const [lifting, setLifting] = useState<number | null>(null);
  const [liftReason, setLiftReason] = useState("");
  const [liftError, setLiftError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const problem = useFormProblem();
  const [busy, setBusy] = useState(false);
  const purposeName = (code: string) => purposes.find((p) => p.code === code)?.name ?? humanise(code);
  const rows = list.data?.restrictions ?? [];

  async function lift(e: FormEvent, id: number) {
    e.preventDefault();
    if (!liftReason.trim()) {
      setLiftError("Say why the restriction is lifted.");
      return;
    }
    setBusy(true);
    try {
      await api(`/restrictions/${id}/lift`, { method: "POST", body: { reason: liftReason.trim() } });
      setMessage(`Restriction ${id} lifted.`);
      setLifting(null);
      setLiftReason("");
      setLiftError(null);
      list.reload();
    } catch (err) {
      setLiftError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const fail = problem.report;

  async function add(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    if (draft.target === "nominal" && !/^\d+$/.test(draft.nominal_id.trim())) return fail("Give the person's id (a number, as in /person/123).");
    if (draft.target !== "nominal" && !draft.source_id) return fail("Choose the dataset.");
    if (draft.target === "record" && !draft.record_key.trim()) return fail("Give the record key, as the partner sends it.");
    if (draft.kind === "field_exclusion" && draft.fields.length === 0) return fail("Choose the fields to withhold.");
    if (!draft.reason.trim()) return fail("Say why (for example the court order or objection reference).");
    const body: Record<string, unknown> = { kind: draft.kind, target: draft.target, reason: draft.reason.trim(), purposes: draft.purposes };
    if (draft.target === "nominal") body.nominal_id = Number(draft.nominal_id.trim());
    else body.source_id = draft.source_id;
    if (draft.target === "record") body.record_key = draft.record_key.trim();
    if (draft.kind === "field_exclusion") body.fields = draft.fields;
    setBusy(true);
    try {
      const r = await api<{ id: number }>("/restrictions", { method: "POST", body });
      setMessage(`Restriction ${r.id} added. It applies from now.`);
      setDraft(EMPTY);
      problem.clear();
      list.reload();
    } catch (err) {
      fail(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  function toggle(items: string[], v: string): string[] {
    return items.includes(v) ? items.filter((x) => x !== v) : [...items, v];
  }

  const setKind = (kind: Restriction["kind"]) =>
    setDraft((d) => ({ ...d, kind, target: kind !== "field_exclusion" && d.target === "dataset" ? "nominal" : d.target, fields: kind === "field_exclusion" ? d.fields : [] }));

  return (
    <section aria-labelledby="restrictions-title" className="gov-section">
      <h2 id="restrictions-title">Restrictions</h2>
      <p className="hint">Restrictions beat every agreement. Opening this list is recorded in the audit log, because restrictions name people.</p>
      {message && (
        <div className="notice notice-success" role="status">
          {message}
        </div>
      )}
      <Choice type="checkbox" id="restrictions-all" label="Show lifted restrictions too" checked={showLifted} onChange={(e) => setShowLifted(e.target.checked)} />
      {list.loading && <Loading what="restrictions" />}
      {list.error && <ErrorNotice error={list.error} what="restrictions" />}
      {list.data && rows.length === 0 && <p>{showLifted ? "No restrictions have ever been made." : "No restrictions are in force."}</p>}
      {rows.length > 0 && (
        <table>
          <caption>{showLifted ? "All restrictions, in force and lifted" : "Restrictions in force"}</caption>
          <TableHead columns={["No.", "Kind", "Applies to", "Fields", "Purposes", "Reason", "Made", "In force"]} />
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.id}</th>
                <td>{kindLabel(r.kind)}</td>
                <td>
                  <TargetText r={r} sources={sources} />
                </td>
                <td>{r.fields.length ? r.fields.map(fieldLabel).join(", ") : "Everything"}</td>
                <td>{r.purposes.length ? r.purposes.map(purposeName).join(", ") : "Every purpose"}</td>
                <td>{r.reason}</td>
                <td>
                  {formatDateTime(r.created_at)}
                  <br />
                  <span className="muted">by {actorName(r.created_by)}</span>
                </td>
                <td>
                  {r.lifted ? (
                    <>
                      No: lifted {formatDateTime(r.lifted_at)} by {actorName(r.lifted_by ?? "")}
                      {r.lift_reason && <span className="muted">: {r.lift_reason}</span>}
                    </>
                  ) : lifting === r.id ? (
                    <form onSubmit={(e) => lift(e, r.id)} className="gov-lift" noValidate>
                      <label htmlFor={`lift-${r.id}`}>Why lift restriction {r.id}?</label>
                      {liftError && (
                        <p className="gov-error-text" role="alert">
                          {liftError}
                        </p>
                      )}
                      <input id={`lift-${r.id}`} value={liftReason} onChange={(e) => setLiftReason(e.target.value)} autoFocus />
                      <div className="button-row">
                        <button type="submit" className="button-warning button-small" disabled={busy}>
                          Lift
                        </button>
                        <button type="button" className="button-secondary button-small" onClick={() => { setLifting(null); setLiftError(null); }}>
                          Cancel
                        </button>
                      </div>
                    </form>
                  ) : (
                    <>
                      Yes{" "}
                      <button
                        type="button"
                        className="button-secondary button-small"
                        aria-label={`Lift restriction ${r.id}`}
                        onClick={() => {
                          setLifting(r.id);
                          setLiftReason("");
                          setLiftError(null);
                          setMessage(null);
                        }}
                      >
                        Lift…
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form className="gov-form" onSubmit={add} noValidate aria-labelledby="restriction-form-title">
        <h3 id="restriction-form-title">Add a restriction</h3>
        <FormProblem state={problem} />
        <fieldset className="field">
          <legend>Kind</legend>
          <RadioGroup
            name="restriction-kind"
            value={draft.kind}
            onChange={setKind}
            options={KINDS.map((k) => ({
              value: k.code,
              label: (
                <>
                  {k.label} <span className="hint" id={`rk-${k.code}-hint`}>– {k.hint}</span>
                </>
              ),
              describedBy: `rk-${k.code}-hint`,
            }))}
          />
        </fieldset>
        <fieldset className="field">
          <legend>Applies to</legend>
          <RadioGroup
            name="restriction-target"
            value={draft.target}
            onChange={(target) => setDraft({ ...draft, target })}
            options={TARGETS.filter((t) => t.value !== "dataset" || draft.kind === "field_exclusion")}
          />
        </fieldset>
        {draft.target === "nominal" && (
          <Field
            id="r-nominal"
            label="Person id"
            className="field gov-field-short"
            hint={
              <>
                The number in the person's page address, /person/<em>id</em>.
              </>
            }
          >
            <input id="r-nominal" inputMode="numeric" value={draft.nominal_id} onChange={(e) => setDraft({ ...draft, nominal_id: e.target.value })} />
          </Field>
        )}
        {draft.target !== "nominal" && (
          <div className="gov-form-grid">
            <Field id="r-source" label="Dataset">
              <Select
                id="r-source"
                value={draft.source_id}
                onChoose={(v) => setDraft({ ...draft, source_id: v })}
                placeholder="Choose a dataset"
                options={[...sources.keys()].map((id) => ({ value: id, label: sourceLabel(id, sources) }))}
              />
            </Field>
            {draft.target === "record" && (
              <Field id="r-key" label="Record key" hint={`The partner's own reference for the record, for example "INV0001".`}>
                <input id="r-key" value={draft.record_key} onChange={(e) => setDraft({ ...draft, record_key: e.target.value })} />
              </Field>
            )}
          </div>
        )}
        {draft.kind === "field_exclusion" && (
          <fieldset className="field">
            <legend>Fields to withhold</legend>
            {FIELD_GROUPS.map((g) => (
              <div key={g.group} className="gov-field-group">
                <p className="gov-field-group-label">{g.label}</p>
                <div className="checkbox-grid">
                  {g.fields.map((f) => (
                    <Choice
                      key={f}
                      type="checkbox"
                      id={`rf-${f}`}
                      label={fieldLabel(f)}
                      checked={draft.fields.includes(f)}
                      onChange={() => setDraft({ ...draft, fields: toggle(draft.fields, f) })}
                    />
                  ))}
                </div>
              </div>
            ))}
          </fieldset>
        )}
        <fieldset className="field">
          <legend>Only for these purposes</legend>
          <p className="hint">Leave all unticked to apply it under every purpose.</p>
          <div className="checkbox-grid">
            {purposes.map((p) => (
              <Choice
                key={p.code}
                type="checkbox"
                id={`rp-${p.code}`}
                label={p.name}
                checked={draft.purposes.includes(p.code)}
                onChange={() => setDraft({ ...draft, purposes: toggle(draft.purposes, p.code) })}
              />
            ))}
          </div>
        </fieldset>
        <Field id="r-reason" label="Reason" hint={`Recorded in the audit log. For example "Court order 2026/114" or "Art 21 objection upheld, ref OBJ-22".`}>
          <textarea id="r-reason" rows={2} value={draft.reason} onChange={(e) => setDraft({ ...draft, reason: e.target.value })} />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Add restriction"}
        </button>
      </form>
    </section>
  );
}
