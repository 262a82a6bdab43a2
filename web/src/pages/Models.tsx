// Risk models (issue 7): every trained version of the risk model with its state, and a version's
// report: how well it ranks and how well calibrated it is against the simple rule it must beat,
// its reliability diagram, whether its errors fall unequally on groups, what practitioners
// decided about its scores and what followed, and its transparency record. An information-
// governance officer approves a version for use, or disables it (the kill switch), with a
// reason. None of this is personal data, so no purpose is needed.
import { useState, type ReactNode } from "react";
import { Link } from "../lib/router";
import { api, errorText } from "../lib/api";
import { useApi } from "../lib/useApi";
import { useSession } from "../lib/session";
import { actorName, formatDate, formatDateTime, humanise } from "../lib/format";
import { count, decisionLabel, metric, pct, type ModelEntry, type ModelReport, type ModelScores, type ReliabilityBin } from "../lib/risk";
import { ErrorNotice, Loading, PagePending } from "../components/Status";
import { TableHead } from "../components/TableHead";
import { Fact } from "../components/Fact";
import { Markdown } from "../components/Markdown";
import { ReasonField } from "../components/ReasonConfirmForm";
import { SUPPRESSED_TEXT } from "./Demand";

function StateTag({ state }: { state: ModelEntry["state"] }) {
  const cls = state === "approved" ? "gov-status gov-status-on" : state === "disabled" ? "gov-status gov-status-off" : "gov-status model-pending";
  const text = state === "approved" ? "Approved for use" : state === "disabled" ? "Disabled" : "Awaiting approval";
  return <span className={cls}>{text}</span>;
}

export function ModelsPage() {
  const list = useApi<{ models: ModelEntry[] }>("/risk/models");
  return (
    <>
      <h1>Risk models</h1>
      <p className="gov-lead">
        Each version of the risk model, trained on the partners' records, with how well it performs. Scores are shown to
        practitioners only from the version an information-governance officer has approved; disabling it stops them at
        once. Open a version to see its full report and transparency record.
      </p>
      {list.loading && <Loading what="the models" />}
      {list.error && <ErrorNotice error={list.error} what="the models" />}
      {list.data &&
        (list.data.models.length === 0 ? (
          <p>No model has been trained yet.</p>
        ) : (
          <div className="sv-scroll">
            <table>
              <caption>Model versions, newest first</caption>
              <TableHead columns={["Version", "Predicts", "State", "Trained", { num: "ROC AUC (model / rule)" }, { num: "People scored" }, "Fairness"]} />
              <tbody>
                {list.data.models.map((m) => (
                  <tr key={m.version}>
                    <th scope="row">
                      <Link to={`/models/${encodeURIComponent(m.version)}`}>Model {m.version}</Link>
                    </th>
                    <td>{m.outcome_title || humanise(m.outcome)}</td>
                    <td>
                      <StateTag state={m.state} />
                      {m.decided_by && (
                        <span className="gov-detail">
                          by {actorName(m.decided_by)}, {formatDate(m.decided_at)}
                        </span>
                      )}
                    </td>
                    <td>{formatDate(m.created_at)}</td>
                    <td className="num">
                      {metric(m.summary?.roc_auc)} / {metric(m.summary?.baseline_roc_auc)}
                    </td>
                    <td className="num">
                      {m.scores ? (
                        <>
                          {count(m.scores.count)}
                          <span className="gov-detail">as of {formatDate(m.scores.as_of)}</span>
                        </>
                      ) : (
                        "Not scored"
                      )}
                    </td>
                    <td>
                      {m.summary && m.summary.fairness_flags.length > 0 ? (
                        <span className="tag tag-conflict">
                          {m.summary.fairness_flags.length} gap{m.summary.fairness_flags.length === 1 ? "" : "s"} flagged
                        </span>
                      ) : m.summary ? (
                        "No gaps flagged"
                      ) : (
                        <span className="muted">Not assessed</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}

export function ModelPage({ version }: { version: string }) {
  const session = useSession();
  const model = useApi<ModelReport>(`/risk/models/${encodeURIComponent(version)}`);
  const [updated, setUpdated] = useState<ModelEntry | null>(null);
  if (!model.data) {
    return (
      <PagePending
        heading={`Risk model ${version}`}
        resource={model}
        loading="the model report"
        what="the model report"
        notFound={`There is no model version ${version}.`}
        back={{ to: "/models", label: "All risk models" }}
      />
    );
  }
  const m: ModelReport = updated ? { ...model.data, ...updated, report: model.data.report, transparency_record: model.data.transparency_record, decisions_vs_outcomes: model.data.decisions_vs_outcomes } : model.data;
  const igo = session.hasRole("information_governance_officer");
  return (
    <>
      <p className="gov-back">
        <Link to="/models">All risk models</Link>
      </p>
      <h1>Risk model {m.version}</h1>
      <p className="gov-lead">
        Predicts: <strong>{m.outcome_title || humanise(m.outcome)}</strong>. <StateTag state={m.state} />
      </p>
      <dl className="gov-summary">
        <Fact label="Trained">{formatDateTime(m.created_at)}</Fact>
        <Fact label="Decision">
          {m.decided_by ? (
            <>
              {m.state === "approved" ? "Approved" : m.state === "disabled" ? "Disabled" : "Decided"} by {actorName(m.decided_by)}, {formatDateTime(m.decided_at)}
              {m.reason && <span className="gov-detail">Reason: {m.reason}</span>}
            </>
          ) : (
            "No decision yet"
          )}
        </Fact>
        <Fact label="Trained on">{m.input_datasets.length ? m.input_datasets.join(", ") : "Not recorded"}</Fact>
        <Fact label="Training data fingerprint">
          <span className="gov-code-small">{m.training_data_sha256 || "Not recorded"}</span>
        </Fact>
        <Fact label="Scores">{m.scores ? `${count(m.scores.count)} people, as of ${formatDate(m.scores.as_of)}` : "None computed"}</Fact>
      </dl>

      {igo && <ApprovalStep entry={m} onDone={setUpdated} />}

      {m.report ? <Report report={m.report} /> : <p>This version has no evaluation report.</p>}

      <h2>Decisions against outcomes</h2>
      <DecisionsVsOutcomes data={m.decisions_vs_outcomes} outcome={m.outcome_title || humanise(m.outcome)} />

      <h2>Transparency record</h2>
      {m.transparency_record ? (
        <div className="model-record">
          <Markdown source={m.transparency_record} headingOffset={2} />
        </div>
      ) : (
        <p>No transparency record has been written for this version.</p>
      )}
    </>
  );
}

function ApprovalStep({ entry, onDone }: { entry: ModelEntry; onDone: (e: ModelEntry) => void }) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [failed, setFailed] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function act(action: "approve" | "disable") {
    setDone(null);
    setFailed(null);
    if (!reason.trim()) {
      setError("Give a reason: it is kept with the decision and in the audit trail.");
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const r = await api<ModelEntry>(`/risk/models/${encodeURIComponent(entry.version)}/${action}`, { method: "POST", body: { reason: reason.trim() } });
      onDone(r);
      setReason("");
      setDone(action === "approve" ? `Model ${entry.version} is approved: its scores are now shown to practitioners under risk assessment.` : `Model ${entry.version} is disabled: its scores are no longer shown.`);
    } catch (e) {
      setFailed(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="gov-form model-approval" aria-labelledby="model-approval-title">
      <h2 id="model-approval-title">Approval</h2>
      <p>
        As an information-governance officer you decide whether this version's scores may be shown. Read the report and
        the transparency record below first. Approving a version replaces any version approved before it; disabling it
        is the kill switch and stops its scores being shown at once.
      </p>
      {done && (
        <div className="notice notice-success" role="status">
          {done}
        </div>
      )}
      {failed && (
        <div className="notice notice-error gov-server-error" role="alert">
          {failed}
        </div>
      )}
      <form onSubmit={(e) => e.preventDefault()} noValidate aria-label={`Approve or disable model ${entry.version}`}>
        <ReasonField id="model-reason" value={reason} onChange={setReason} error={error} hint="Why you approve or disable this version, for the record." />
        <div className="button-row">
          <button type="button" onClick={() => act("approve")} disabled={busy || entry.state === "approved"}>
            Approve for use
          </button>
          <button type="button" className="button-warning" onClick={() => act("disable")} disabled={busy || entry.state === "disabled"}>
            Disable (kill switch)
          </button>
        </div>
      </form>
    </section>
  );
}

type Better = "higher" | "lower";

function Report({ report }: { report: NonNullable<ModelReport["report"]> }) {
  const { model, baseline } = report;
  const rows: { label: string; hint: string; m: number | null | undefined; b: number | null | undefined; better: Better; show: (v: number | null | undefined) => string }[] = [
    { label: "ROC AUC", hint: "How well it ranks people who had the outcome above people who did not (0.5 is chance, 1 is perfect).", m: model.roc_auc, b: baseline.roc_auc, better: "higher", show: (v) => metric(v) },
    { label: "PR AUC", hint: "Precision against recall over every cut-off; rewards finding the rare cases.", m: model.pr_auc, b: baseline.pr_auc, better: "higher", show: (v) => metric(v) },
    { label: "Calibration error (ECE)", hint: "How far its probabilities are from what happened, on average (lower is better).", m: model.ece, b: baseline.ece, better: "lower", show: (v) => metric(v) },
    { label: `Precision in the top ${count(model.top_k?.k ?? baseline.top_k?.k)}`, hint: "Of the people ranked highest, the share who had the outcome.", m: model.top_k?.precision, b: baseline.top_k?.precision, better: "higher", show: (v) => pct(v, 1) },
    { label: `Recall in the top ${count(model.top_k?.k ?? baseline.top_k?.k)}`, hint: "Of everyone who had the outcome, the share ranked in the top.", m: model.top_k?.recall, b: baseline.top_k?.recall, better: "higher", show: (v) => pct(v, 1) },
  ];
  const verdict = (r: (typeof rows)[number]): "better" | "worse" | "same" | "unknown" => {
    if (r.m === null || r.m === undefined || r.b === null || r.b === undefined) return "unknown";
    const d = r.m - r.b;
    if (Math.abs(d) < 1e-9) return "same";
    return (r.better === "higher" ? d > 0 : d < 0) ? "better" : "worse";
  };
  const notBeaten = rows.filter((r) => verdict(r) === "worse" || verdict(r) === "same");
  return (
    <>
      <h2>How well it predicts</h2>
      <p>
        Evaluated on {count(report.rows)} people after {formatDate(report.cutoff)}, of whom {count(report.positives)} had
        the outcome. The model is compared with <strong>{baseline.name || "a simple rule"}</strong>, which it must beat
        to be worth its complexity.
      </p>
      {notBeaten.length > 0 ? (
        <div className="notice notice-warning" role="note">
          <strong>The model does not beat the simple rule on {notBeaten.map((r) => r.label).join(", ")}.</strong> Where it
          does not, the simple rule does as well or better, and is easier to explain.
        </div>
      ) : (
        <p>The model beats the simple rule on every measure shown.</p>
      )}
      <div className="sv-scroll">
        <table className="model-metrics">
          <caption>The model against the simple rule</caption>
          <TableHead columns={["Measure", { num: "Model" }, { num: "Simple rule" }, "Model is"]} />
          <tbody>
            {rows.map((r) => {
              const v = verdict(r);
              return (
                <tr key={r.label} className={v === "worse" || v === "same" ? "model-row-worse" : undefined}>
                  <th scope="row">
                    {r.label}
                    <span className="gov-detail">{r.hint}</span>
                  </th>
                  <td className="num">
                    {r.show(r.m)}
                    {r.label.startsWith("Calibration") && model.ece_ci95 && model.ece_ci95[0] !== null && (
                      <span className="gov-detail">
                        95% interval {metric(model.ece_ci95[0])} to {metric(model.ece_ci95[1])}
                      </span>
                    )}
                  </td>
                  <td className="num">{r.show(r.b)}</td>
                  <td>{v === "better" ? "Better" : v === "worse" ? <strong>Worse than the rule</strong> : v === "same" ? <strong>No better than the rule</strong> : "Cannot tell"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <h2>Calibration</h2>
      <p>
        When the model says 20%, about 20% of those people should go on to have the outcome. Points on the diagonal are
        well calibrated; points below it mean the model overstates the chance, above it that it understates it.
      </p>
      <Reliability model={model} baseline={baseline} />

      <h2>Fairness</h2>
      <Fairness scores={model} />
      {baseline.fairness.length > 0 && (
        <details className="viz-details">
          <summary>The same for the simple rule</summary>
          <Fairness scores={baseline} />
        </details>
      )}
    </>
  );
}

function Reliability({ model, baseline }: { model: ModelScores; baseline: ModelScores }) {
  const size = 320;
  const pad = 44;
  const inner = size - pad - 12;
  const x = (v: number) => pad + v * inner;
  const y = (v: number) => 12 + (1 - v) * inner;
  const pts = (bins: ReliabilityBin[]) => bins.filter((b) => b.predicted !== null && b.observed !== null && b.n > 0);
  const mp = pts(model.reliability);
  const bp = pts(baseline.reliability);
  const line = (bins: ReliabilityBin[]) => bins.map((b, i) => `${i ? "L" : "M"}${x(b.predicted!).toFixed(1)},${y(b.observed!).toFixed(1)}`).join(" ");
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="model-reliability">
      <figure>
        <svg viewBox={`0 0 ${size} ${size + 20}`} width={size} role="img" aria-label="Reliability diagram: predicted probability against the share who had the outcome, for the model (circles) and the simple rule (squares); the table beside it gives the same figures">
          <rect x={pad} y={12} width={inner} height={inner} fill="#f3f2f1" stroke="#b1b4b6" />
          <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} stroke="#505a5f" strokeDasharray="4 3" />
          {ticks.map((t) => (
            <g key={t}>
              <text x={x(t)} y={size - 14} textAnchor="middle" fontSize="11" fill="#505a5f">
                {Math.round(t * 100)}%
              </text>
              <text x={pad - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#505a5f">
                {Math.round(t * 100)}%
              </text>
            </g>
          ))}
          <text x={pad + inner / 2} y={size + 6} textAnchor="middle" fontSize="12" fill="#0b0c0c">
            Predicted
          </text>
          <text x={12} y={12 + inner / 2} textAnchor="middle" fontSize="12" fill="#0b0c0c" transform={`rotate(-90 12 ${12 + inner / 2})`}>
            Observed
          </text>
          {bp.length > 1 && <path d={line(bp)} fill="none" stroke="#6f3c97" strokeWidth={1.5} />}
          {bp.map((b, i) => (
            <rect key={`b${i}`} x={x(b.predicted!) - 4} y={y(b.observed!) - 4} width={8} height={8} fill="#6f3c97" />
          ))}
          {mp.length > 1 && <path d={line(mp)} fill="none" stroke="#1d70b8" strokeWidth={2} />}
          {mp.map((b, i) => (
            <circle key={`m${i}`} cx={x(b.predicted!)} cy={y(b.observed!)} r={4.5} fill="#1d70b8" stroke="#0b0c0c" />
          ))}
        </svg>
        <figcaption className="hint">
          Blue circles: the model. Purple squares: the simple rule. Dashed: perfect calibration.
        </figcaption>
      </figure>
      <div className="sv-scroll">
        <table className="model-bins">
          <caption>Reliability of the model, by band of predicted probability</caption>
          <TableHead columns={["Band", { num: "People" }, { num: "Mean predicted" }, { num: "Had the outcome" }]} />
          <tbody>
            {model.reliability.filter((b) => b.n > 0).map((b, i) => (
              <tr key={i}>
                <th scope="row">
                  {pct(b.lo, 0)} to {pct(b.hi, 0)}
                </th>
                <td className="num">{count(b.n)}</td>
                <td className="num">{b.predicted === null ? "–" : pct(b.predicted, 1)}</td>
                <td className="num">{b.observed === null ? "–" : pct(b.observed, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

// "0-17" stays "0-17"; "white_british" becomes "White british".
function groupName(g: string): string {
  const s = g.replace(/_+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function Fairness({ scores }: { scores: ModelScores }) {
  if (scores.fairness.length === 0) return <p>No fairness assessment is recorded.</p>;
  const flagged = scores.fairness.filter((a) => a.flagged);
  return (
    <>
      <p>
        Whether the mistakes fall unequally on groups, when the {scores.top_k?.k ? `${count(scores.top_k.k)} ` : ""}people ranked
        highest are flagged: the false-positive rate (people flagged who did not have the outcome) and the false-negative
        rate (people not flagged who did), in each group. A gap of more than 5 percentage points is flagged; a rate is
        assessed only when the group is big enough to say.
      </p>
      {flagged.length > 0 ? (
        <div className="notice notice-warning" role="note">
          <strong>Gaps flagged</strong> by {flagged.map((a) => humanise(a.axis).toLowerCase()).join(", ")}. Weigh these before approving, and say
          in the transparency record how they are handled.
        </div>
      ) : (
        <p>No gap is flagged.</p>
      )}
      <div className="sv-scroll">
        <table className="model-fairness">
          <caption>Error rates by group ({scores.name || "model"})</caption>
          <TableHead columns={["Group", { num: "People" }, { num: "Had the outcome" }, { num: "False-positive rate" }, { num: "False-negative rate" }]} />
          {scores.fairness.map((a) => (
            <tbody key={a.axis} className={a.flagged ? "model-flagged" : undefined}>
              <tr className="review-group-row">
                <th scope="colgroup" colSpan={5}>
                  {humanise(a.axis)}: gap in false-positive rate {metric(a.fpr_gap)}, in false-negative rate {metric(a.fnr_gap)}
                  {a.flagged && <span className="tag tag-conflict model-flag">Flagged</span>}
                </th>
              </tr>
              {a.groups.map((g) => (
                <tr key={g.group}>
                  <th scope="row">{groupName(g.group)}</th>
                  <td className="num">{count(g.n)}</td>
                  <td className="num">{count(g.positives)}</td>
                  <td className="num">{g.fpr_assessed ? pct(g.fpr, 1) : <span className="muted">too few to assess</span>}</td>
                  <td className="num">{g.fnr_assessed ? pct(g.fnr, 1) : <span className="muted">too few to assess</span>}</td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </>
  );
}

function DecisionsVsOutcomes({ data, outcome }: { data: ModelReport["decisions_vs_outcomes"]; outcome: string }): ReactNode {
  if (!data || data.rows.length === 0) return <p>No practitioner has recorded a decision about this version's scores yet.</p>;
  return (
    <>
      <p>
        For each kind of decision practitioners recorded, how many of the people went on to have the outcome ({outcome.toLowerCase()}) within{" "}
        {Math.round(data.window_days / 30.4)} months. Counts below {data.suppress_below} are shown as "{SUPPRESSED_TEXT}". Decisions too recent for the
        window to have passed are pending.
      </p>
      <table className="demand-table model-dvo">
        <caption>Decisions against what followed</caption>
        <TableHead columns={["Decision", { num: "Decisions" }, { num: "Followed by the outcome" }, { num: "Rate" }, { num: "Pending" }]} />
        <tbody>
          {data.rows.map((r) => (
            <tr key={r.decision}>
              <th scope="row">{decisionLabel(r.decision)}</th>
              <td className="num">{r.count === null ? SUPPRESSED_TEXT : count(r.count)}</td>
              <td className="num">{r.followed === null ? SUPPRESSED_TEXT : count(r.followed)}</td>
              <td className="num">{r.rate !== null ? pct(r.rate, 1) : r.count === 0 ? "–" : "not shown"}</td>
              <td className="num">{r.pending === null ? SUPPRESSED_TEXT : count(r.pending)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
