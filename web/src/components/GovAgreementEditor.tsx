// Changing an agreement, for information-governance officers: a form for the common terms
// (title, status, dates, legal gateway, parties or recipients, named users, datasets and their
// fields, retention) or, for anything else, the agreement as JSON (docs/formats/agreements.md).
// Saving stores a new version; the old ones stay on record. The server validates it and its
// message, which names the key at fault, is shown as it is.
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { api, errorText } from "../lib/api";
import { agencyName, humanise } from "../lib/format";
import type { Agreement, AgreementTerms, Purpose } from "../lib/types";
import { AGENCIES, ALL_FIELDS, FieldMatrixHead, ROLES, compactFields, expandFields, fieldLabel, otherFields } from "./GovCommon";
import { TableHead } from "./TableHead";
import { DateRange, Field, FormProblem, RadioGroup, Select, SubmitRow, useFormProblem, type Option, type RadioOption } from "./FormParts";
import { sourceLabel, type Sources } from "../lib/sources";

// The agreement's own terms, as sent to the server; as JSON it may hold keys the form does not.
type Body = AgreementTerms & Record<string, unknown>;

function bodyOf(a: Agreement): Body {
  const b: Body = {
    code: a.code,
    tier: a.tier,
    title: a.title,
    status: a.status,
    legal_gateway: a.legal_gateway,
    valid_from: a.valid_from,
    valid_to: a.valid_to,
  };
  if (a.tier === 1) {
    b.parties = [...(a.parties ?? [])];
  } else {
    b.parent = a.parent;
    b.purpose = a.purpose;
    b.retention_days = a.retention_days;
    b.datasets = (a.datasets ?? []).map((d) => ({ source: d.source, fields: [...d.fields] }));
    b.recipients = (a.recipients ?? []).map((r) => ({ agency: r.agency, roles: [...r.roles] }));
    b.nominated_users = [...(a.nominated_users ?? [])];
  }
  return b;
}

// JSON with keys in a stable order, to tell whether anything changed.
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  );
}

interface Props {
  agreement: Agreement;
  agreements: Agreement[];
  purposes: Purpose[];
  sources: Sources;
  onCancel: () => void;
  onSaved: (saved: Agreement) => void;
}

export function GovAgreementEditor({ agreement, agreements, purposes, sources, onCancel, onSaved }: Props) {
  const original = useMemo(() => bodyOf(agreement), [agreement]);
  const [draft, setDraft] = useState<Body>(original);
  const [mode, setMode] = useState<"form" | "json">("form");
  const [jsonText, setJsonText] = useState("");
  const problem = useFormProblem();
  const [saving, setSaving] = useState(false);
  const [newAgency, setNewAgency] = useState("");
  const [newRole, setNewRole] = useState("practitioner");
  const [newUser, setNewUser] = useState("");
  const [newDataset, setNewDataset] = useState("");
  const [newParty, setNewParty] = useState("");
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => headingRef.current?.focus(), []);

  const datasetLabel = (id: string) => sourceLabel(id, sources);
  // Datasets offered: every source the hub knows, and any an agreement already names.
  const knownSources = [...new Set([...sources.keys(), ...agreements.flatMap((a) => (a.datasets ?? []).map((d) => d.source))])].sort((a, b) =>
    datasetLabel(a).localeCompare(datasetLabel(b)),
  );
  const parent = agreements.find((a) => a.code === draft.parent);
  const recipientAgencies = parent?.parties?.length ? parent.parties : AGENCIES;

  const showError = problem.report;

  function set<K extends keyof Body>(key: K, value: Body[K]) {
    setDraft((d) => ({ ...d, [key]: value }));
  }

  function switchMode(next: "form" | "json") {
    if (next === mode) return;
    if (next === "json") {
      setJsonText(JSON.stringify(draft, null, 2));
      problem.clear();
      setMode("json");
      return;
    }
    try {
      const parsed = JSON.parse(jsonText) as Body;
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      setDraft(parsed);
      problem.clear();
      setMode("form");
    } catch (e) {
      showError(`The JSON cannot be read, so the form cannot show it: ${e instanceof Error ? e.message : String(e)}. Correct it, or save it as it is.`);
    }
  }

  // --- Tier 2 recipients, as agency + role pairs
  const pairs = (draft.recipients ?? []).flatMap((r) => r.roles.map((role) => ({ agency: r.agency, role })));
  function addRecipient() {
    if (!newAgency) return showError("Choose an agency to add as a recipient.");
    const list = (draft.recipients ?? []).map((r) => ({ ...r, roles: [...r.roles] }));
    const found = list.find((r) => r.agency === newAgency);
    if (found && found.roles.includes(newRole)) return showError(`${agencyName(newAgency)} ${humanise(newRole).toLowerCase()}s already receive it.`);
    if (found) found.roles.push(newRole);
    else list.push({ agency: newAgency, roles: [newRole] });
    set("recipients", list);
    problem.clear();
  }
  function removeRecipient(agency: string, role: string) {
    const list = (draft.recipients ?? [])
      .map((r) => (r.agency === agency ? { ...r, roles: r.roles.filter((x) => x !== role) } : r))
      .filter((r) => r.roles.length > 0);
    set("recipients", list);
  }

  // --- Tier 2 datasets and fields
  function toggleField(source: string, field: string) {
    set(
      "datasets",
      (draft.datasets ?? []).map((d) => {
        if (d.source !== source) return d;
        const fields = expandFields(d.fields);
        if (fields.has(field)) fields.delete(field);
        else fields.add(field);
        return { ...d, fields: compactFields(fields) };
      }),
    );
  }
  function toggleAll(source: string, on: boolean) {
    set(
      "datasets",
      (draft.datasets ?? []).map((d) => (d.source === source ? { ...d, fields: on ? ["*"] : [] } : d)),
    );
  }
  function addDataset() {
    if (!newDataset) return showError("Choose a dataset to add.");
    set("datasets", [...(draft.datasets ?? []), { source: newDataset, fields: ["person.name", "person.dob"] }]);
    setNewDataset("");
    problem.clear();
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    let body: Body;
    if (mode === "json") {
      try {
        body = JSON.parse(jsonText) as Body;
      } catch (err) {
        return showError(`The JSON is not valid: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else {
      body = draft;
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return showError("The agreement must be a JSON object.");
    if (body.code !== agreement.code)
      return showError(`The code must stay "${agreement.code}": this saves a new version of this agreement. (The JSON has "${String(body.code)}".)`);
    if (canonical(body) === canonical(original)) return showError("Nothing has changed, so there is no new version to save.");
    setSaving(true);
    try {
      const saved = await api<Agreement>("/agreements", { method: "POST", body });
      onSaved(saved);
    } catch (err) {
      showError(errorText(err));
    } finally {
      setSaving(false);
    }
  }

  const isT2 = draft.tier === 2;
  const addable = knownSources.filter((s) => !(draft.datasets ?? []).some((d) => d.source === s));
  const extraFields = otherFields(draft.datasets ?? []);

  return (
    <section className="gov-editor" aria-labelledby="editor-title">
      <h2 id="editor-title" tabIndex={-1} ref={headingRef}>
        Edit {agreement.code}
      </h2>
      <p className="hint">Saving makes version {agreement.version + 1}. Version {agreement.version} and earlier stay on record. Nothing changes until you save.</p>
      <form onSubmit={save} noValidate>
        <FormProblem state={problem} className="gov-server-error" lead="Not saved." />
        <fieldset className="field gov-mode">
          <legend>How to edit</legend>
          <RadioGroup name="edit-mode" value={mode} onChange={switchMode} options={MODES} />
        </fieldset>

        {mode === "json" ? (
          <Field
            id="agreement-json"
            label="The agreement as JSON"
            hint="The keys of docs/formats/agreements.md. If the server refuses it, its message names the key at fault, such as datasets[2].fields[0]."
          >
            <textarea id="agreement-json" className="gov-json" spellCheck={false} value={jsonText} onChange={(e) => setJsonText(e.target.value)} rows={24} />
          </Field>
        ) : (
          <>
            <Field id="ag-title" label="Title">
              <input id="ag-title" value={draft.title} onChange={(e) => set("title", e.target.value)} />
            </Field>
            <div className="gov-form-grid">
              <Field id="ag-status" label="Status" hint="Only an active agreement is in force.">
                <Select id="ag-status" value={draft.status} onChoose={(v) => set("status", v as Body["status"])} options={STATUSES} />
              </Field>
              <DateRange
                idPrefix="ag"
                from={draft.valid_from}
                to={draft.valid_to}
                onFrom={(v) => set("valid_from", v)}
                onTo={(v) => set("valid_to", v)}
                labels={["Valid from", "Valid to"]}
                hints={["In force from this day.", "The last day it is in force."]}
              />
              {isT2 && (
                <Field id="ag-retention" label="Retention (days)" hint="How long recipients may keep what they see.">
                  <input
                    id="ag-retention"
                    type="number"
                    min={1}
                    value={draft.retention_days ?? ""}
                    onChange={(e) => set("retention_days", e.target.value === "" ? undefined : Number(e.target.value))}
                  />
                </Field>
              )}
            </div>
            <Field id="ag-gateway" label="Legal gateway">
              <textarea id="ag-gateway" rows={2} className="gov-textarea-short" value={draft.legal_gateway} onChange={(e) => set("legal_gateway", e.target.value)} />
            </Field>
            {isT2 && (
              <Field id="ag-purpose" label="Purpose" className="field gov-field-medium">
                <Select
                  id="ag-purpose"
                  value={draft.purpose ?? ""}
                  onChoose={(v) => set("purpose", v)}
                  options={[
                    ...(purposes.some((p) => p.code === draft.purpose) ? [] : [{ value: draft.purpose ?? "", label: draft.purpose || "Choose a purpose" }]),
                    ...purposes.map((p) => ({ value: p.code, label: `${p.name}${p.active ? "" : " (inactive)"}` })),
                  ]}
                />
              </Field>
            )}

            {!isT2 && (
              <fieldset className="field">
                <legend>Parties</legend>
                <Chips items={draft.parties ?? []} label={agencyName} removeLabel={(p) => `Remove party ${agencyName(p)}`} onRemove={(rest) => set("parties", rest)} />
                <AddRow
                  button="Add party"
                  onAdd={() => {
                    if (!newParty) return showError("Choose an agency to add as a party.");
                    set("parties", [...(draft.parties ?? []), newParty]);
                    setNewParty("");
                    problem.clear();
                  }}
                >
                  <Field id="ag-new-party" label="Agency to add" className="">
                    <Select
                      id="ag-new-party"
                      value={newParty}
                      onChoose={setNewParty}
                      placeholder="Choose an agency"
                      options={agencyOptions(AGENCIES.filter((x) => !(draft.parties ?? []).includes(x)))}
                    />
                  </Field>
                </AddRow>
              </fieldset>
            )}

            {isT2 && (
              <fieldset className="field">
                <legend>Who receives it</legend>
                {pairs.length === 0 ? (
                  <p>No agencies yet.</p>
                ) : (
                  <table className="gov-table-narrow">
                    <caption className="gov-sr">Recipients: agency and role</caption>
                    <TableHead columns={["Agency", "Role", <span className="gov-sr">Remove</span>]} />
                    <tbody>
                      {pairs.map((p) => (
                        <tr key={p.agency + p.role}>
                          <td>{agencyName(p.agency)}</td>
                          <td>{humanise(p.role)}</td>
                          <td>
                            <button
                              type="button"
                              className="button-link"
                              aria-label={`Remove ${agencyName(p.agency)} ${humanise(p.role).toLowerCase()}`}
                              onClick={() => removeRecipient(p.agency, p.role)}
                            >
                              Remove
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <AddRow button="Add recipient" onAdd={addRecipient}>
                  <Field id="ag-new-agency" label="Agency" className="">
                    <Select id="ag-new-agency" value={newAgency} onChoose={setNewAgency} placeholder="Choose an agency" options={agencyOptions(recipientAgencies)} />
                  </Field>
                  <Field id="ag-new-role" label="Role" className="">
                    <Select id="ag-new-role" value={newRole} onChoose={setNewRole} options={ROLES.map((r) => ({ value: r, label: humanise(r) }))} />
                  </Field>
                </AddRow>
                <p className="hint">Recipients must be parties to {draft.parent}.</p>
              </fieldset>
            )}

            {isT2 && (
              <fieldset className="field">
                <legend>Named users</legend>
                <p className="hint">Usernames who receive it whatever their agency (optional).</p>
                {(draft.nominated_users ?? []).length > 0 && (
                  <Chips items={draft.nominated_users ?? []} label={(u) => u} removeLabel={(u) => `Remove named user ${u}`} onRemove={(rest) => set("nominated_users", rest)} />
                )}
                <AddRow
                  button="Add user"
                  onAdd={() => {
                    const u = newUser.trim();
                    if (!u) return showError("Type the username to add.");
                    if (!(draft.nominated_users ?? []).includes(u)) set("nominated_users", [...(draft.nominated_users ?? []), u]);
                    setNewUser("");
                    problem.clear();
                  }}
                >
                  <Field id="ag-new-user" label="Username" className="">
                    <input id="ag-new-user" value={newUser} onChange={(e) => setNewUser(e.target.value)} autoComplete="off" />
                  </Field>
                </AddRow>
              </fieldset>
            )}

            {isT2 && (
              <fieldset className="field">
                <legend>Datasets and the fields shared</legend>
                <p className="hint">Tick what recipients may see of each dataset. Raw values (records as the partner sent them) are shown only where every other field is ticked too.</p>
                <div className="gov-scroll" role="region" aria-label="Fields shared per dataset (editable)" tabIndex={0}>
                  <table className="gov-matrix gov-matrix-edit">
                    <caption className="gov-sr">Fields shared per dataset</caption>
                    <FieldMatrixHead lead={["Dataset", "All"]} other={extraFields} />
                    <tbody>
                      {(draft.datasets ?? []).map((d) => {
                        const fields = expandFields(d.fields);
                        const all = ALL_FIELDS.every((f) => fields.has(f));
                        const name = datasetLabel(d.source);
                        return (
                          <tr key={d.source}>
                            <th scope="row" className="gov-rowhead">
                              {name}
                              <button
                                type="button"
                                className="button-link gov-remove-dataset"
                                aria-label={`Remove dataset ${name}`}
                                onClick={() => set("datasets", (draft.datasets ?? []).filter((x) => x.source !== d.source))}
                              >
                                Remove
                              </button>
                            </th>
                            <td>
                              <input type="checkbox" aria-label={`${name}: every field`} checked={all} onChange={() => toggleAll(d.source, !all)} />
                            </td>
                            {[...ALL_FIELDS, ...extraFields].map((f) => (
                              <td key={f}>
                                <input type="checkbox" aria-label={`${name}: ${fieldLabel(f)}`} checked={fields.has(f)} onChange={() => toggleField(d.source, f)} />
                              </td>
                            ))}
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
                {addable.length > 0 && (
                  <>
                    <AddRow button="Add dataset" onAdd={addDataset}>
                      <Field id="ag-new-dataset" label="Dataset to add" className="">
                        <Select
                          id="ag-new-dataset"
                          value={newDataset}
                          onChoose={setNewDataset}
                          placeholder="Choose a dataset"
                          options={addable.map((x) => ({ value: x, label: datasetLabel(x) }))}
                        />
                      </Field>
                    </AddRow>
                    <p className="hint">A new dataset starts with name and date of birth ticked; change the ticks before saving.</p>
                  </>
                )}
              </fieldset>
            )}
          </>
        )}

        <SubmitRow label="Save as new version" busyLabel="Saving…" busy={saving} onCancel={onCancel} />
      </form>
    </section>
  );
}

const MODES: RadioOption<"form" | "json">[] = [
  { value: "form", label: "With the form" },
  { value: "json", label: "Advanced: edit as JSON" },
];

const STATUSES: Option[] = [
  { value: "active", label: "Active" },
  { value: "suspended", label: "Suspended" },
  { value: "withdrawn", label: "Withdrawn" },
];

function agencyOptions(codes: string[]): Option[] {
  return codes.map((x) => ({ value: x, label: agencyName(x) }));
}

// Chosen items, each with a button to remove it; `onRemove` is given the items left.
function Chips({ items, label, removeLabel, onRemove }: { items: string[]; label: (item: string) => string; removeLabel: (item: string) => string; onRemove: (rest: string[]) => void }) {
  return (
    <ul className="gov-chips">
      {items.map((x) => (
        <li key={x}>
          {label(x)}{" "}
          <button type="button" className="button-link" aria-label={removeLabel(x)} onClick={() => onRemove(items.filter((y) => y !== x))}>
            Remove
          </button>
        </li>
      ))}
    </ul>
  );
}

// The controls for a new item, then the button that adds it.
function AddRow({ button, onAdd, children }: { button: string; onAdd: () => void; children: ReactNode }) {
  return (
    <div className="gov-add-row">
      {children}
      <button type="button" className="button-secondary" onClick={onAdd}>
        {button}
      </button>
    </div>
  );
}
