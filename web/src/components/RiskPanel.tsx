// The person page's risk score (issue 7): the calibrated probability of the approved model's
// outcome, beside the base rate and the person's rank, with the factors that moved it (SHAP
// contributions in log-odds, each linked to the events that made its value), and a person's
// decision about it. The score is advisory: the panel says so, and asks the practitioner to
// record whether they agree, disagree or are acting, with a reason. Scores are derived from
// several agencies' data, so they are given only under the purpose "risk assessment"; when the
// hub will not show one (no approved model, not scored, withheld) the panel says why.
import { useId, useRef, useState, type FormEvent } from "react";
import { api, errorText } from "../lib/api";
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { actorName, agencyName, formatDate, formatDateTime, humanise } from "../lib/format";
import { DECISIONS, decisionLabel, ordinal, pct, type DecisionKind, type NominalRisk, type RiskDecision, type RiskFactor } from "../lib/risk";
import { RiskPurposeNote, useRiskPurposeStated } from "./RiskPurpose";
import { ErrorNotice, Loading } from "./Status";
import { RadioGroup } from "./FormParts";
import { ReasonField } from "./ReasonConfirmForm";
import { TableHead } from "./TableHead";

export function RiskPanel({ id }: { id: string }) {
  const allowed = useRiskPurposeStated();
  const result = useApi<NominalRisk>(allowed ? `/nominals/${encodeURIComponent(id)}/risk` : null);
  const [added, setAdded] = useState<RiskDecision[]>([]);

  if (!allowed) return <RiskPurposeNote what="Risk scores are" className="muted" />;
  if (result.loading) return <Loading what="the risk score" />;
  if (result.error) return <ErrorNotice error={result.error} what="the risk score" />;
  const data = result.data;
  if (!data) return null;

  const known = new Set((data.decisions ?? []).map((d) => d.id));
  const decisions = [...added.filter((d) => !known.has(d.id)), ...(data.decisions ?? [])];

  return (
    <div className="risk-panel">
      {data.state === "scored" && data.score && data.model ? (
        <>
          <ScoreSummary data={data} />
          <Factors data={data} />
          <DecisionForm nominalId={id} onRecorded={(d) => setAdded((a) => [d, ...a])} />
        </>
      ) : (
        <div className={data.state === "withheld" ? "withheld" : "notice notice-info"} role="note">
          {data.state === "withheld" && (
            <>
              <span className="withheld-icon" aria-hidden="true">
                ⊘
              </span>{" "}
              <strong>Score withheld under agreement terms:</strong>{" "}
            </>
          )}
          {data.state === "no_approved_model" && <strong>No risk model is approved for use. </strong>}
          {data.state === "not_scored" && <strong>This person has no score. </strong>}
          {data.message || data.withheld_reason || stateText(data.state)}
        </div>
      )}
      <DecisionHistory decisions={decisions} />
    </div>
  );
}

function stateText(state: NominalRisk["state"]): string {
  if (state === "no_approved_model") return "An information-governance officer must approve a model version before scores are shown.";
  if (state === "not_scored") return "The approved model's last scoring run did not include this person.";
  if (state === "withheld") return "The score draws on records your agreement does not share with you.";
  return "";
}

function ScoreSummary({ data }: { data: NominalRisk }) {
  const s = data.score!;
  const m = data.model!;
  const outcome = m.outcome_title || humanise(m.outcome);
  const ratio = s.base_rate ? s.probability / s.base_rate : null;
  return (
    <>
      <div className="risk-headline">
        <p className="risk-prob">
          <span className="risk-prob-number">{pct(s.probability)}</span>
          <span className="risk-prob-text">
            estimated chance of: <strong>{outcome}</strong>
          </span>
        </p>
        <dl className="risk-facts">
          <div>
            <dt>For comparison</dt>
            <dd>
              {s.base_rate !== null && s.base_rate !== undefined ? (
                <>
                  {pct(s.base_rate, 1)} of everyone scored (the base rate)
                  {ratio !== null && ratio >= 1.5 && <>; this person is about {ratio.toFixed(ratio >= 10 ? 0 : 1)} times as likely</>}
                </>
              ) : (
                "Base rate not available"
              )}
            </dd>
          </div>
          <div>
            <dt>Rank</dt>
            <dd>
              {ordinal(s.rank)} of {s.of.toLocaleString("en-GB")} people scored (1st is the highest)
            </dd>
          </div>
          <div>
            <dt>Scored</dt>
            <dd>
              On the records as of {formatDate(s.as_of)}, by model {m.version}
              <span className="muted"> (approved by {actorName(m.approved_by)}, {formatDate(m.approved_at)})</span>
            </dd>
          </div>
        </dl>
      </div>
      <div className="notice notice-warning risk-advisory" role="note">
        <strong>Advisory only: a person decides.</strong> The score is a statistical estimate from patterns in
        partners' past records. It can be wrong, it does not know what you know, and it is not a decision about this
        person. Use it to help you look, and record below whether you agree.
      </div>
    </>
  );
}

function signed(v: number): string {
  const s = Math.abs(v).toFixed(2);
  if (Number(s) === 0) return "0.00";
  return (v > 0 ? "+" : "−") + s;
}

function factorValue(f: RiskFactor): string {
  if (f.value === null || f.value === undefined) return "Not known";
  if (Number.isInteger(f.value)) return f.value.toLocaleString("en-GB");
  return f.value.toFixed(2);
}

function Factors({ data }: { data: NominalRisk }) {
  const factors = [...(data.factors ?? [])].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const s = data.score!;
  const other = data.other_contribution ?? 0;
  const [open, setOpen] = useState<string | null>(null);
  const uid = useId();
  if (factors.length === 0) {
    return <p>No single factor moved this score; it is close to the model's starting point.</p>;
  }
  const rows = [...factors.map((f) => ({ key: f.feature, label: f.label, value: f.contribution })), ...(Math.abs(other) >= 0.005 ? [{ key: "_other", label: "All other factors together", value: other }] : [])];
  const max = Math.max(0.1, ...rows.map((r) => Math.abs(r.value)));
  const labelW = 380;
  const half = 190;
  const rowH = 28;
  const width = labelW + half * 2 + 70;
  const height = rows.length * rowH + 34;
  const cx = labelW + half;
  return (
    <>
      <h3 id={`${uid}-factors`}>What moved the score</h3>
      <p className="hint">
        Each factor pushes the score up (raises it) or down (lowers it) from the model's starting point. Sizes are in
        log-odds, the units the model adds up: from its starting point of {signed(s.bias)}, the factors bring it to {signed(s.margin)},
        which the model turns into {pct(s.probability)}. A factor is a pattern in the records, not a cause.
      </p>
      <figure className="risk-chart">
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Bar chart of the ${rows.length} factors that moved the score, raising to the right and lowering to the left; the table below gives the same figures`}>
          <line x1={cx} x2={cx} y1={0} y2={height - 24} stroke="#0b0c0c" />
          <text x={cx - 6} y={height - 8} textAnchor="end" fontSize="12" fill="#505a5f">
            ◀ lowers
          </text>
          <text x={cx + 6} y={height - 8} fontSize="12" fill="#505a5f">
            raises ▶
          </text>
          {rows.map((r, i) => {
            const y = i * rowH + 4;
            const w = Math.max(2, (Math.abs(r.value) / max) * half);
            const up = r.value > 0;
            return (
              <g key={r.key}>
                <text x={labelW - 8} y={y + 17} textAnchor="end" fontSize="13" fill="#0b0c0c">
                  {r.label.length > 52 ? r.label.slice(0, 50) + "…" : r.label}
                </text>
                <rect x={up ? cx : cx - w} y={y + 4} width={w} height={rowH - 10} fill={up ? "#d4351c" : "#1d70b8"} />
                <text x={up ? cx + w + 4 : cx - w - 4} y={y + 17} textAnchor={up ? "start" : "end"} fontSize="12" fill="#0b0c0c">
                  {signed(r.value)}
                </text>
              </g>
            );
          })}
        </svg>
        <figcaption className="hint">Red bars to the right raise the score; blue bars to the left lower it. The words in the table say the same.</figcaption>
      </figure>
      <div className="sv-scroll">
        <table className="risk-factors">
          <caption>Factors, largest effect first, with the events behind each</caption>
          <TableHead columns={["Factor", { num: "Value" }, "Effect", { num: "Log-odds" }, "Events"]} />
          <tbody>
            {factors.map((f) => {
              const isOpen = open === f.feature;
              const panelId = `${uid}-${f.feature}`;
              return (
                <FactorRow key={f.feature} f={f} isOpen={isOpen} panelId={panelId} onToggle={() => setOpen(isOpen ? null : f.feature)} />
              );
            })}
            {Math.abs(other) >= 0.005 && (
              <tr>
                <th scope="row">All other factors together</th>
                <td className="num">–</td>
                <td>{other > 0 ? "Raises" : "Lowers"}</td>
                <td className="num">{signed(other)}</td>
                <td className="muted">Each too small to list</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

function FactorRow({ f, isOpen, panelId, onToggle }: { f: RiskFactor; isOpen: boolean; panelId: string; onToggle: () => void }) {
  return (
    <>
      <tr className={isOpen ? "sv-row-open" : undefined}>
        <th scope="row">{f.label}</th>
        <td className="num">{factorValue(f)}</td>
        <td>
          <span className={f.contribution > 0 ? "risk-up sv-nowrap" : "risk-down sv-nowrap"}>
            <span aria-hidden="true">{f.contribution > 0 ? "▲ " : "▼ "}</span>
            {f.contribution > 0 ? "Raises" : "Lowers"}
          </span>
        </td>
        <td className="num">{signed(f.contribution)}</td>
        <td>
          {f.events_total > 0 ? (
            <button type="button" className="button-secondary button-small sv-nowrap" aria-expanded={isOpen} aria-controls={panelId} onClick={onToggle}>
              {isOpen ? "Hide" : "Show"} {f.events_total} event{f.events_total === 1 ? "" : "s"}
              <span className="sv-vh"> behind {f.label}</span>
            </button>
          ) : (
            <span className="muted">{f.value === 0 ? "None: the factor is that there were none" : "Not drawn from this person's events"}</span>
          )}
        </td>
      </tr>
      <tr id={panelId} hidden={!isOpen} className="sv-expanded">
        <td colSpan={5}>
          {isOpen && (
            <>
              <ul className="risk-events">
                {f.events.map((e) => (
                  <li key={e.event_id}>
                    {e.date ? formatDate(e.date) : "Date withheld"}: {agencyName(e.agency)}, {humanise(e.category || e.type)}
                    {e.nominal_id !== undefined ? (
                      <>
                        {" "}
                        (<Link to={`/person/${e.nominal_id}`}>a household member</Link>)
                      </>
                    ) : (
                      f.feature.startsWith("household.") && " (a household member)"
                    )}
                  </li>
                ))}
              </ul>
              {f.events_total > f.events.length && (
                <p className="hint">
                  And {f.events_total - f.events.length} more; <a href="#timeline">see them in the timeline</a>.
                </p>
              )}
              {f.events_total <= f.events.length && (
                <p className="hint">
                  Each is in the <a href="#timeline">timeline</a> below.
                </p>
              )}
            </>
          )}
        </td>
      </tr>
    </>
  );
}

function DecisionForm({ nominalId, onRecorded }: { nominalId: string; onRecorded: (d: RiskDecision) => void }) {
  const uid = useId();
  const [decision, setDecision] = useState<DecisionKind | "">("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<{ decision?: string; reason?: string }>({});
  const [failed, setFailed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<RiskDecision | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const failRef = useRef<HTMLDivElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs = {
      decision: decision ? undefined : "Choose agree, disagree or action.",
      reason: reason.trim() ? undefined : "Give a reason: it is kept with the decision.",
    };
    setErrors(errs);
    setFailed(null);
    if (errs.decision || errs.reason) return;
    setBusy(true);
    try {
      const r = await api<{ decision: RiskDecision }>(`/nominals/${encodeURIComponent(nominalId)}/risk/decisions`, {
        method: "POST",
        body: { decision, reason: reason.trim() },
      });
      setDone(r.decision);
      onRecorded(r.decision);
      setDecision("");
      setReason("");
      window.setTimeout(() => doneRef.current?.focus(), 0);
    } catch (err) {
      setFailed(errorText(err));
      window.setTimeout(() => failRef.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="risk-decision" onSubmit={submit} noValidate aria-labelledby={`${uid}-title`}>
      <h3 id={`${uid}-title`}>Your decision about this score</h3>
      <p className="hint">
        Say whether the score fits what you know. Your decision is kept with the model version and the probability you
        saw, and is audited.
      </p>
      {done && (
        <div className="notice notice-success" role="status" tabIndex={-1} ref={doneRef}>
          Decision recorded: {decisionLabel(done.decision)}. It is in the history below.
        </div>
      )}
      {failed && (
        <div className="notice notice-error" role="alert" tabIndex={-1} ref={failRef}>
          <strong>The decision was not recorded.</strong> {failed}
        </div>
      )}
      <fieldset className="field" aria-describedby={errors.decision ? `${uid}-decision-error` : undefined}>
        <legend>Decision</legend>
        {errors.decision && (
          <p className="review-field-error" id={`${uid}-decision-error`}>
            <span className="review-sr">Error: </span>
            {errors.decision}
          </p>
        )}
        <RadioGroup name={`${uid}-decision`} options={DECISIONS} value={decision} onChange={(v) => setDecision(v)} />
      </fieldset>
      <ReasonField id={`${uid}-reason`} value={reason} onChange={setReason} error={errors.reason} hint="What you know that the score does or does not reflect, or what you are doing." />
      <div className="button-row">
        <button type="submit" disabled={busy}>
          {busy ? "Recording…" : "Record decision"}
        </button>
      </div>
    </form>
  );
}

function DecisionHistory({ decisions }: { decisions: RiskDecision[] }) {
  return (
    <>
      <h3>Decisions about this person's scores</h3>
      {decisions.length === 0 ? (
        <p>No decisions have been recorded.</p>
      ) : (
        <div className="sv-scroll">
          <table className="risk-history">
            <caption>Decisions, newest first</caption>
            <TableHead columns={["When", "Decision", "Reason", "By", "Against"]} />
            <tbody>
              {decisions.map((d) => (
                <tr key={d.id}>
                  <td className="sv-nowrap">{formatDateTime(d.at)}</td>
                  <th scope="row">{decisionLabel(d.decision)}</th>
                  <td className="risk-reason">{d.reason}</td>
                  <td>
                    {actorName(d.by)}
                    <span className="sv-note muted">{agencyName(d.agency)}</span>
                  </td>
                  <td>
                    {d.probability !== null && d.probability !== undefined ? pct(d.probability) : "No score"}
                    <span className="sv-note muted">model {d.version}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
