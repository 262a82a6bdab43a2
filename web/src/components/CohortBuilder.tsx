// The cohort builder: a name, a description, conditions that must all hold (an indicator
// raised, the risk score, the area, agencies involved, age) and how to rank the members, with a
// live count of how many people match (suppressed below 5, so a small cohort says "fewer than 5").
// The hub checks the definition again when it is saved and says where a problem is.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { api, ApiError, errorText } from "../lib/api";
import { useApi } from "../lib/useApi";
import { agencyName, humanise } from "../lib/format";
import { RANK_BY, pct, type Cohort, type CohortDefinition, type Condition, type RankBy } from "../lib/risk";
import { Choice, Field, FormProblem, RadioGroup, Select, SubmitRow, useFormProblem } from "./FormParts";
import { AGENCIES } from "./GovCommon";

type Kind = "indicator" | "score_at_least" | "score_top" | "area" | "agencies" | "age";

const KINDS: { value: Kind; label: string }[] = [
  { value: "agencies", label: "Agencies involved" },
  { value: "indicator", label: "An indicator is raised" },
  { value: "score_at_least", label: "Risk score at least a probability" },
  { value: "score_top", label: "Among the highest risk scores" },
  { value: "area", label: "Lives in postcode districts" },
  { value: "age", label: "Age" },
];

interface Draft {
  key: number;
  kind: Kind;
  indicator: string;
  scorePct: string;
  top: string;
  areas: string;
  atLeast: string;
  months: string;
  of: string[];
  ageFrom: string;
  ageTo: string;
}

let nextKey = 1;
function blank(kind: Kind): Draft {
  return { key: nextKey++, kind, indicator: "", scorePct: "20", top: "100", areas: "", atLeast: "2", months: "12", of: [], ageFrom: "0", ageTo: "17" };
}

function fromCondition(c: Condition): Draft {
  if ("indicator" in c) return { ...blank("indicator"), indicator: c.indicator };
  if ("score" in c) {
    if ("top" in c.score) return { ...blank("score_top"), top: String(c.score.top) };
    return { ...blank("score_at_least"), scorePct: String(Math.round(c.score.at_least * 1000) / 10) };
  }
  if ("area" in c) return { ...blank("area"), areas: c.area.join(", ") };
  if ("agencies" in c) return { ...blank("agencies"), atLeast: String(c.agencies.at_least), months: String(c.agencies.within_months), of: c.agencies.of ?? [] };
  return { ...blank("age"), ageFrom: String(c.age.from), ageTo: String(c.age.to) };
}

const whole = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN);

// The condition, or what is wrong with the draft.
function toCondition(d: Draft): Condition | string {
  switch (d.kind) {
    case "indicator":
      return d.indicator ? { indicator: d.indicator } : "choose an indicator";
    case "score_at_least": {
      const v = Number(d.scorePct);
      if (!d.scorePct.trim() || Number.isNaN(v) || v <= 0 || v > 100) return "give a probability from 0.1 to 100 per cent";
      return { score: { at_least: Math.round(v * 10) / 1000 } };
    }
    case "score_top": {
      const v = whole(d.top);
      if (!(v >= 1)) return "give how many of the highest scores, a whole number of 1 or more";
      return { score: { top: v } };
    }
    case "area": {
      const areas = d.areas.split(/[\s,;]+/).map((a) => a.trim().toUpperCase()).filter(Boolean);
      if (areas.length === 0) return "give at least one postcode district, such as M11";
      const bad = areas.find((a) => !/^[A-Z]{1,2}\d[A-Z\d]?$/.test(a));
      if (bad) return `"${bad}" is not a postcode district (such as M11 or SW1A)`;
      return { area: areas };
    }
    case "agencies": {
      const n = whole(d.atLeast);
      const m = whole(d.months);
      if (!(n >= 1 && n <= 12)) return "give how many agencies, a whole number from 1 to 12";
      if (!(m >= 1 && m <= 120)) return "give the months to look back, a whole number from 1 to 120";
      if (d.of.length > 0 && n > d.of.length) return `tick at least ${n} agencies, or none to count any agency`;
      return { agencies: d.of.length ? { at_least: n, within_months: m, of: d.of } : { at_least: n, within_months: m } };
    }
    case "age": {
      const f = whole(d.ageFrom);
      const t = whole(d.ageTo);
      if (!(f >= 0 && f <= 120) || !(t >= 0 && t <= 120)) return "give ages as whole numbers from 0 to 120";
      if (f > t) return "the lower age must not be above the upper age";
      return { age: { from: f, to: t } };
    }
  }
}

// A condition in words, for the cohort page; `titleOf` names an indicator (useIndicatorRules).
export function conditionText(c: Condition, titleOf: (code: string) => string): string {
  if ("indicator" in c) return `Indicator raised: ${titleOf(c.indicator)}`;
  if ("score" in c) return "top" in c.score ? `Among the ${c.score.top.toLocaleString("en-GB")} highest risk scores` : `Risk score at least ${pct(c.score.at_least, 1)}`;
  if ("area" in c) return `Lives in ${c.area.join(", ")}`;
  if ("agencies" in c) {
    const of = c.agencies.of?.length ? ` (of ${c.agencies.of.map(agencyName).join(", ")})` : "";
    return `Known to at least ${c.agencies.at_least} agencies${of} in the last ${c.agencies.within_months} months`;
  }
  return `Aged ${c.age.from} to ${c.age.to}`;
}

interface Preview {
  members: number | null;
  suppressed: boolean;
  suppress_below: number;
}

export function CohortBuilder({ cohort, onSaved, onCancel }: { cohort?: Cohort; onSaved: (c: Cohort) => void; onCancel?: () => void }) {
  const uid = useId();
  const [name, setName] = useState(cohort?.name ?? "");
  const [description, setDescription] = useState(cohort?.description ?? "");
  const [drafts, setDrafts] = useState<Draft[]>(() => (cohort?.definition ? cohort.definition.criteria.map(fromCondition) : [blank("agencies")]));
  const [rankBy, setRankBy] = useState<RankBy>(cohort?.definition?.rank_by ?? "agencies");
  const [addKind, setAddKind] = useState<Kind>("indicator");
  const [errors, setErrors] = useState<{ name?: string; conditions?: string }>({});
  const [busy, setBusy] = useState(false);
  const problem = useFormProblem();
  const listRef = useRef<HTMLOListElement>(null);

  const built = drafts.map(toCondition);
  const draftErrors = built.map((c) => (typeof c === "string" ? c : null));
  const definition: CohortDefinition | null = built.length > 0 && draftErrors.every((e) => e === null) ? { criteria: built as Condition[], rank_by: rankBy } : null;
  const defKey = definition ? JSON.stringify(definition) : null;

  const [preview, setPreview] = useState<{ state: "idle" | "loading" | "done" | "error"; data?: Preview; error?: string }>({ state: "idle" });
  useEffect(() => {
    if (!defKey) {
      setPreview({ state: "idle" });
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      setPreview({ state: "loading" });
      api<Preview>("/cohorts/preview", { method: "POST", body: { definition: JSON.parse(defKey) }, signal: controller.signal })
        .then((data) => setPreview({ state: "done", data }))
        .catch((e) => {
          if (e instanceof DOMException && e.name === "AbortError") return;
          setPreview({ state: "error", error: errorText(e) });
        });
    }, 500);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [defKey]);

  function update(key: number, change: Partial<Draft>) {
    setDrafts((ds) => ds.map((d) => (d.key === key ? { ...d, ...change } : d)));
  }

  function remove(index: number) {
    setDrafts((ds) => ds.filter((_, i) => i !== index));
    // Focus moves to the list, so that a keyboard user is not left on a removed button.
    window.setTimeout(() => listRef.current?.focus(), 0);
  }

  function add() {
    const d = blank(addKind);
    setDrafts((ds) => [...ds, d]);
    window.setTimeout(() => document.getElementById(`${uid}-c${d.key}`)?.focus(), 0);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs = {
      name: name.trim() ? undefined : "Give the cohort a name.",
      conditions: drafts.length === 0 ? "Add at least one condition." : draftErrors.some((x) => x) ? "Correct the conditions marked below." : undefined,
    };
    setErrors(errs);
    if (errs.name || errs.conditions || !definition) {
      problem.report(errs.name ?? errs.conditions ?? "Correct the form.");
      return;
    }
    problem.clear();
    setBusy(true);
    try {
      const body = { name: name.trim(), description: description.trim(), definition };
      const saved = cohort
        ? await api<Cohort>(`/cohorts/${cohort.id}`, { method: "PUT", body })
        : await api<Cohort>("/cohorts", { method: "POST", body });
      onSaved(saved);
    } catch (err) {
      const prefix = err instanceof ApiError && err.status === 409 ? "" : "The hub did not accept the cohort: ";
      problem.report(prefix + errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const previewText = useMemo(() => {
    if (preview.state === "idle") {
      if (drafts.length === 0) return "Add a condition to see how many people match.";
      const i = draftErrors.findIndex((e) => e !== null);
      return i >= 0 ? `To see how many people match, complete condition ${i + 1}: ${draftErrors[i]}.` : "Complete the conditions to see how many people match.";
    }
    if (preview.state === "loading") return "Counting the people who match…";
    if (preview.state === "error") return `Could not count the people who match: ${preview.error}`;
    const p = preview.data!;
    if (p.suppressed || p.members === null) return `Fewer than ${p.suppress_below ?? 5} people match these conditions now.`;
    return `${p.members.toLocaleString("en-GB")} ${p.members === 1 ? "person matches" : "people match"} these conditions now.`;
  }, [preview, drafts.length, draftErrors.join("|")]);

  return (
    <form className="gov-form cohort-builder" onSubmit={submit} noValidate aria-labelledby={`${uid}-title`}>
      <h2 id={`${uid}-title`} className="gov-form-title">
        {cohort ? `Change ${cohort.name}` : "Define the cohort"}
      </h2>
      <FormProblem state={problem} lead="The cohort was not saved." />
      <Field id={`${uid}-name`} label="Name" className="field gov-field-medium">
        <input id={`${uid}-name`} value={name} onChange={(e) => setName(e.target.value)} aria-invalid={errors.name ? true : undefined} maxLength={120} />
      </Field>
      <Field id={`${uid}-description`} label="Description (optional)" hint="Who the cohort is for and what the team will do with it.">
        <textarea id={`${uid}-description`} className="gov-textarea-short" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={1000} />
      </Field>

      <h3>Conditions: a person is in the cohort when all of them hold</h3>
      {errors.conditions && drafts.length === 0 && <p className="gov-error-text">{errors.conditions}</p>}
      <ol className="cohort-conditions" ref={listRef} tabIndex={-1} aria-label="Conditions">
        {drafts.map((d, i) => (
          <li key={d.key}>
            <fieldset className="cohort-condition" id={`${uid}-c${d.key}`} tabIndex={-1}>
              <legend>
                Condition {i + 1}: {KINDS.find((k) => k.value === d.kind)?.label}
              </legend>
              {errors.conditions && draftErrors[i] && (
                <p className="gov-error-text" id={`${uid}-c${d.key}-error`}>
                  <span className="gov-sr">Error: </span>
                  {draftErrors[i]}
                </p>
              )}
              <ConditionFields uid={`${uid}-c${d.key}`} draft={d} onChange={(c) => update(d.key, c)} />
              <button type="button" className="button-secondary button-small" onClick={() => remove(i)}>
                Remove condition {i + 1}
              </button>
            </fieldset>
          </li>
        ))}
      </ol>
      <div className="gov-add-row">
        <div>
          <label htmlFor={`${uid}-add`}>Kind of condition to add</label>
          <Select id={`${uid}-add`} value={addKind} onChoose={(v) => setAddKind(v as Kind)} options={KINDS} />
        </div>
        <button type="button" className="button-secondary" onClick={add}>
          Add condition
        </button>
      </div>

      <fieldset className="field">
        <legend>Rank the members by</legend>
        <RadioGroup name={`${uid}-rank`} options={RANK_BY} value={rankBy} onChange={setRankBy} />
      </fieldset>

      <div className="cohort-preview" role="status" aria-live="polite">
        <strong>Preview:</strong> {previewText}
      </div>

      <SubmitRow label={cohort ? "Save changes" : "Save cohort"} busyLabel="Saving…" busy={busy} onCancel={onCancel} />
    </form>
  );
}

interface IndicatorRules {
  rules: { code: string; title: string; scope: string }[];
}

// The hub's own indicator rules (GET /analytics/indicator-rules): the one list of indicators
// and their titles. Until they arrive, or if they cannot be read, a code is shown as words.
export function useIndicatorRules() {
  const rules = useApi<IndicatorRules>("/analytics/indicator-rules");
  const list = useMemo(() => rules.data?.rules ?? [], [rules.data]);
  const titleOf = useMemo(() => {
    const titles = new Map(list.map((r) => [r.code, r.title]));
    return (code: string) => titles.get(code) ?? humanise(code);
  }, [list]);
  return { list, titleOf, loading: rules.loading, error: rules.error };
}

function ConditionFields({ uid, draft: d, onChange }: { uid: string; draft: Draft; onChange: (c: Partial<Draft>) => void }) {
  const rules = useIndicatorRules();
  switch (d.kind) {
    case "indicator":
      return (
        <Field id={`${uid}-indicator`} label="Indicator" hint={rules.error ? "The hub's indicators could not be read." : undefined}>
          <Select
            id={`${uid}-indicator`}
            value={d.indicator}
            onChoose={(v) => onChange({ indicator: v })}
            placeholder={rules.loading ? "Loading indicators…" : "Choose an indicator"}
            options={rules.list.map((i) => ({ value: i.code, label: i.title }))}
          />
        </Field>
      );
    case "score_at_least":
      return (
        <Field id={`${uid}-score`} label="Probability at least (per cent)" hint="The approved model's estimated chance of its outcome." className="field field-inline">
          <input id={`${uid}-score`} inputMode="decimal" value={d.scorePct} onChange={(e) => onChange({ scorePct: e.target.value })} size={6} />
        </Field>
      );
    case "score_top":
      return (
        <Field id={`${uid}-top`} label="How many of the highest scores" hint="Everyone ranked this high or higher by the approved model." className="field field-inline">
          <input id={`${uid}-top`} inputMode="numeric" value={d.top} onChange={(e) => onChange({ top: e.target.value })} size={6} />
        </Field>
      );
    case "area":
      return (
        <Field id={`${uid}-area`} label="Postcode districts" hint="Separated by commas or spaces, for example M11, M12." className="field gov-field-medium">
          <input id={`${uid}-area`} value={d.areas} onChange={(e) => onChange({ areas: e.target.value })} />
        </Field>
      );
    case "age":
      return (
        <div className="cohort-inline">
          <Field id={`${uid}-from`} label="Aged from" className="field field-inline">
            <input id={`${uid}-from`} inputMode="numeric" value={d.ageFrom} onChange={(e) => onChange({ ageFrom: e.target.value })} size={4} />
          </Field>
          <Field id={`${uid}-to`} label="to (inclusive)" className="field field-inline">
            <input id={`${uid}-to`} inputMode="numeric" value={d.ageTo} onChange={(e) => onChange({ ageTo: e.target.value })} size={4} />
          </Field>
        </div>
      );
    case "agencies":
      return (
        <>
          <div className="cohort-inline">
            <Field id={`${uid}-n`} label="At least this many agencies" className="field field-inline">
              <input id={`${uid}-n`} inputMode="numeric" value={d.atLeast} onChange={(e) => onChange({ atLeast: e.target.value })} size={4} />
            </Field>
            <Field id={`${uid}-months`} label="Within the last (months)" className="field field-inline">
              <input id={`${uid}-months`} inputMode="numeric" value={d.months} onChange={(e) => onChange({ months: e.target.value })} size={4} />
            </Field>
          </div>
          <fieldset className="field">
            <legend>Counting only these agencies (none ticked: any agency)</legend>
            <div className="checkbox-grid">
              {AGENCIES.map((a) => (
                <Choice
                  key={a}
                  type="checkbox"
                  id={`${uid}-of-${a}`}
                  label={agencyName(a)}
                  checked={d.of.includes(a)}
                  onChange={(e) => onChange({ of: e.target.checked ? [...d.of, a] : d.of.filter((x) => x !== a) })}
                />
              ))}
            </div>
          </fieldset>
        </>
      );
  }
}
