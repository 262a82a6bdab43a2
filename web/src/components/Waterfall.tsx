// The match waterfall: how the record-linkage model scored a pair of records, one comparison at
// a time (name, date of birth, address...), each adding evidence for or against them being the
// same person. Starting from the prior (how likely two records picked at random are the same
// person), the weights add up to the match weight, the probability and the model's decision.
// One rendering serves every page: the clerical review queue shows a compact summary
// (WaterfallSummary); a review pair and the person page's "Why is this record here?"
// (MatchExplanation) show the chart plus the full table, which is the chart's accessible
// equivalent. Comparisons on fields the user may not see are shown only as withheld, and then
// the hub gives no totals either (they would reveal the withheld weight).
import { useState } from "react";
import { useApi } from "../lib/useApi";
import { agencyName, humanise } from "../lib/format";
import type { MatchWaterfall, PersonRecord, RecordExplanation, WaterfallStep, WaterfallStepShown } from "../lib/types";
import { ErrorNotice, Loading } from "./Status";
import { ReviewScroll } from "./ReviewScroll";
import { sourceLabel, type Sources } from "../lib/sources";
import { TableHead } from "./TableHead";

const COMPARISON_NAMES: Record<string, string> = {
  given_name: "Given name",
  family_name: "Family name",
  date_of_birth: "Date of birth",
  sex: "Sex",
  location: "Address",
  nhs_number: "NHS number",
  identifiers: "Other identifiers",
  contact: "Phone or email",
};

function comparisonName(code: string): string {
  return COMPARISON_NAMES[code] ?? humanise(code);
}

// "94%" (never "100%" or "0%" for a borderline score: those would read as certain).
export function percent(p: number): string {
  const v = p * 100;
  if (v > 99 && v < 100) return "over 99%";
  if (v < 1 && v > 0) return "under 1%";
  return `${Math.round(v)}%`;
}

// The probability in words, for people who do not think in percentages.
export function probabilityWords(p: number): string {
  if (p >= 0.95) return "almost certainly the same person";
  if (p >= 0.8) return "probably the same person";
  if (p >= 0.6) return "more likely the same person than not";
  if (p >= 0.5) return "about as likely the same person as not";
  if (p >= 0.2) return "probably different people";
  return "almost certainly different people";
}

// The model's decision band in words.
export function decisionWords(decision?: string): string {
  if (decision === "link") return "Linked automatically (above the link threshold)";
  if (decision === "review") return "Borderline: a person must decide (between the review and link thresholds)";
  if (decision === "no link") return "Not strong enough to link on its own (below the review threshold)";
  return decision ? humanise(decision) : "";
}

function signed(w: number, digits = 1): string {
  const s = Math.abs(w).toFixed(digits);
  if (Number(s) === 0) return (0).toFixed(digits);
  return (w > 0 ? "+" : "−") + s;
}

function evidenceWord(w: number): string {
  if (w > 0.05) return "for";
  if (w < -0.05) return "against";
  return "no evidence";
}

// Numbers in the table: small probabilities as 0.0029, big factors as 312.
function num(v: number | undefined, digits = 3): string {
  if (v === undefined || Number.isNaN(v)) return "";
  if (v === 0) return "0";
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-GB");
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toPrecision(digits);
}

function isShown(step: WaterfallStep): step is WaterfallStepShown {
  return !step.withheld;
}

// Compact, for the review queue: the comparisons that moved the score, in the model's order,
// each with its weight in words ("for"/"against"), plus how many gave no evidence or were withheld.
export function WaterfallSummary({ waterfall }: { waterfall: MatchWaterfall }) {
  const steps = waterfall.steps.filter(isShown);
  const moving = steps.filter((s) => Math.abs(s.weight) > 0.05);
  const silent = steps.length - moving.length;
  const max = Math.max(1, ...moving.map((s) => Math.abs(s.weight)));
  return (
    <div className="wf-summary">
      {moving.length > 0 ? (
        <ul>
          {moving.map((s) => (
            <li key={s.comparison}>
              <span className={s.weight > 0 ? "wf-mini wf-for" : "wf-mini wf-against"} aria-hidden="true">
                <span style={{ width: `${Math.max(6, (Math.abs(s.weight) / max) * 100)}%` }} />
              </span>
              <span>
                <strong>{comparisonName(s.comparison)}</strong>: {s.description}{" "}
                <span className="wf-weight">
                  ({signed(s.weight)} {evidenceWord(s.weight)})
                </span>
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p>No comparison gave evidence either way.</p>
      )}
      {(silent > 0 || waterfall.withheld_steps > 0) && (
        <p className="muted wf-note">
          {silent > 0 && `${silent} ${silent === 1 ? "comparison" : "comparisons"} gave no evidence`}
          {silent > 0 && waterfall.withheld_steps > 0 && "; "}
          {waterfall.withheld_steps > 0 && `${waterfall.withheld_steps} withheld under agreement terms`}.
        </p>
      )}
    </div>
  );
}

// In full, for one pair: the chart (bars from the running total before each comparison to after
// it) and the table with every number the hub gives. `labelA`/`labelB` name the two records'
// columns; `caption` says what the table is.
export function Waterfall({
  waterfall,
  labelA = "Record A",
  labelB = "Record B",
  caption = "Each comparison, in the order the model weighs them",
}: {
  waterfall: MatchWaterfall;
  labelA?: string;
  labelB?: string;
  caption?: string;
}) {
  const complete = waterfall.withheld_steps === 0;
  return (
    <div className="wf">
      <WaterfallChart waterfall={waterfall} />
      <ReviewScroll label="Match waterfall">
        <table className="wf-table">
          <caption>
            {caption}
            {complete ? "" : ` (${waterfall.withheld_steps} withheld under agreement terms, so running totals are not shown)`}
          </caption>
          <TableHead
            columns={[
              "Comparison",
              labelA,
              labelB,
              "Result",
              { num: <abbr title="Probability of this result if they are the same person">m</abbr> },
              { num: <abbr title="Probability of this result if they are different people">u</abbr> },
              {
                num: (
                  <>
                    Bayes factor <span className="review-sr">(m divided by u)</span>
                  </>
                ),
              },
              { num: "Weight" },
              complete && { num: "Running total" },
            ]}
          />
          <tbody>
            <tr>
              <th scope="row">Starting point</th>
              <td colSpan={2} className="muted">
                Before any comparison
              </td>
              <td>How rare a true match is among all pairs</td>
              <td />
              <td />
              <td />
              <td className="num">{signed(waterfall.prior_weight, 2)}</td>
              {complete && <td className="num">{signed(waterfall.prior_weight, 2)}</td>}
            </tr>
            {waterfall.steps.map((s) =>
              s.withheld ? (
                <tr key={s.comparison} className="wf-withheld">
                  <th scope="row">{comparisonName(s.comparison)}</th>
                  <td colSpan={complete ? 8 : 7}>
                    <span className="tag tag-withheld">Withheld</span> This comparison reads a field
                    your purpose's agreements do not share, so it is not shown.
                  </td>
                </tr>
              ) : (
                <tr key={s.comparison}>
                  <th scope="row">{comparisonName(s.comparison)}</th>
                  <td>{s.value_a || <span className="muted">Not recorded</span>}</td>
                  <td>{s.value_b || <span className="muted">Not recorded</span>}</td>
                  <td>
                    {s.description}
                    {s.level && <span className="muted"> (level: {humanise(s.level)})</span>}
                    {s.term_frequency && <span className="muted"> — adjusted for how common the value is</span>}
                  </td>
                  <td className="num">{num(s.m)}</td>
                  <td className="num">{num(s.u)}</td>
                  <td className="num">{num(s.bayes_factor)}</td>
                  <td className="num">
                    {signed(s.weight, 2)}
                    <span className="wf-word"> {evidenceWord(s.weight)}</span>
                  </td>
                  {complete && <td className="num">{s.cumulative !== undefined ? signed(s.cumulative, 2) : ""}</td>}
                </tr>
              ),
            )}
          </tbody>
          {complete && waterfall.match_weight !== undefined && (
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td colSpan={6}>
                  {waterfall.probability !== undefined && (
                    <>
                      Probability {percent(waterfall.probability)}: {probabilityWords(waterfall.probability)}.{" "}
                    </>
                  )}
                  {decisionWords(waterfall.decision)}.
                </td>
                <td className="num">{signed(waterfall.match_weight, 2)}</td>
                <td className="num">{signed(waterfall.match_weight, 2)}</td>
              </tr>
            </tfoot>
          )}
        </table>
      </ReviewScroll>
      {!waterfall.steps.some(isShown) && <p>None of the comparisons for this pair can be shown for your purpose.</p>}
      <p className="hint">
        m is how often this result is seen when two records are the same person, u how often when
        they are different people; the Bayes factor is m divided by u. Weights are in bits (log base 2
        of the Bayes factor): +1 doubles the odds that the records are the same person, −1 halves them.
        The total turns into the probability.
      </p>
    </div>
  );
}

// Horizontal waterfall: one row per comparison. With every step shown, each bar runs from the
// running total before the comparison to the total after it; with some withheld (no totals),
// each bar runs from zero to the comparison's own weight. Signs are written next to each bar,
// so "for" and "against" do not rest on colour.
function WaterfallChart({ waterfall }: { waterfall: MatchWaterfall }) {
  const complete = waterfall.withheld_steps === 0;
  interface Row {
    label: string;
    from: number;
    to: number;
    text: string;
    kind: "prior" | "for" | "against" | "none" | "withheld" | "total";
  }
  const rows: Row[] = [];
  let running = waterfall.prior_weight;
  if (complete) {
    rows.push({ label: "Starting point", from: 0, to: running, text: signed(running), kind: "prior" });
  }
  for (const s of waterfall.steps) {
    if (s.withheld) {
      rows.push({ label: comparisonName(s.comparison), from: 0, to: 0, text: "withheld", kind: "withheld" });
      continue;
    }
    const w = s.weight;
    const from = complete ? running : 0;
    const to = complete ? (s.cumulative ?? running + w) : w;
    running = complete ? to : running;
    const kind = Math.abs(w) <= 0.05 ? "none" : w > 0 ? "for" : "against";
    rows.push({ label: comparisonName(s.comparison), from, to, text: kind === "none" ? "0 no evidence" : `${signed(w)} ${kind}`, kind });
  }
  if (complete && waterfall.match_weight !== undefined) {
    rows.push({ label: "Total", from: 0, to: waterfall.match_weight, text: signed(waterfall.match_weight), kind: "total" });
  }
  const values = rows.flatMap((r) => [r.from, r.to]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const labelW = 150;
  const textW = 110;
  const plotW = 560;
  const rowH = 26;
  const width = labelW + plotW + textW;
  const height = rows.length * rowH + 24;
  const x = (v: number) => labelW + ((v - lo) / span) * plotW;
  const summary = complete
    ? `Chart: the score starts at ${signed(waterfall.prior_weight)} and ends at ${signed(waterfall.match_weight ?? running)}. The table below gives every step.`
    : "Chart: the weight each shown comparison adds or takes away. The table below gives every step.";
  return (
    <figure className="wf-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="xMinYMin meet">
        <line x1={x(0)} x2={x(0)} y1={4} y2={height - 18} stroke="#0b0c0c" strokeWidth={1.5} />
        <text x={x(0)} y={height - 4} textAnchor="middle" fontSize={12} fill="#0b0c0c">
          0
        </text>
        {rows.map((r, i) => {
          const y = i * rowH + 6;
          const a = Math.min(x(r.from), x(r.to));
          const b = Math.max(x(r.from), x(r.to));
          const fill =
            r.kind === "for" ? "#00703c" : r.kind === "against" ? "#d4351c" : r.kind === "total" || r.kind === "prior" ? "#1d3557" : "#505a5f";
          return (
            <g key={i}>
              <text x={labelW - 8} y={y + 15} textAnchor="end" fontSize={13} fill="#0b0c0c" fontWeight={r.kind === "total" ? 700 : 400}>
                {r.label}
              </text>
              {r.kind === "withheld" ? (
                <rect x={Math.max(labelW + 2, Math.min(x(0) - 20, labelW + plotW - 42))} y={y + 2} width={40} height={rowH - 10} fill="#fff7e0" stroke="#b54b00" strokeDasharray="4 3" />
              ) : (
                <rect x={a} y={y + 2} width={Math.max(2, b - a)} height={rowH - 10} fill={fill} />
              )}
              <text x={labelW + plotW + 6} y={y + 15} fontSize={12} fill="#0b0c0c">
                {r.text}
              </text>
              {complete && i > 0 && i < rows.length - 1 && r.kind !== "withheld" && (
                <line x1={x(r.from)} x2={x(r.from)} y1={y - 6} y2={y + 2} stroke="#505a5f" strokeDasharray="2 2" />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="hint">
        Bars to the right of 0 count towards the same person, to the left against.
        {complete ? " Each bar starts where the previous one ended." : " Totals are withheld, so each bar starts at 0."}
      </figcaption>
    </figure>
  );
}

function recordName(r: PersonRecord | undefined, fallbackSource: string, names: Sources): string {
  if (!r) return `a record from ${sourceLabel(fallbackSource, names, humanise(fallbackSource))}`;
  return `${r.dataset} record ${r.record_key} (${agencyName(r.agency)})`;
}

// "Why is this record here?" on the person page: loads the explanation for one record and lists
// each pair it was compared in, strongest first; the strongest is open, the others one click away.
export function MatchExplanation({
  nominalId,
  record,
  records,
  names,
}: {
  nominalId: number;
  record: PersonRecord;
  records: PersonRecord[];
  names: Sources;
}) {
  const ex = useApi<RecordExplanation>(`/nominals/${nominalId}/records/${record.person_record_id}/explanation`);
  const [open, setOpen] = useState<number | null>(null);
  if (ex.loading) return <Loading what="the match explanation" />;
  if (ex.error) return <ErrorNotice error={ex.error} what="the match explanation" />;
  if (!ex.data) return null;
  const byId = new Map(records.map((r) => [r.person_record_id, r]));
  const pairs = [...ex.data.comparisons].sort((a, b) => (b.match_weight ?? -Infinity) - (a.match_weight ?? -Infinity));
  const current = open ?? pairs[0]?.person_record_id ?? null;
  const thisLabel = `this record (${record.record_key})`;

  return (
    <div className="wf-explanation">
      <p>
        The hub compared this record with the other records in the profile. Each comparison adds weight when the details agree and takes
        it away when they disagree; the total gives the probability that both records are the same person.
      </p>
      {pairs.length === 0 && <p>There are no other records you may see to compare this record with.</p>}
      {ex.data.comparisons_withheld > 0 && (
        <div className="withheld" role="note">
          <span className="withheld-icon" aria-hidden="true">
            ⊘
          </span>{" "}
          <strong>Withheld under agreement terms:</strong> {ex.data.comparisons_withheld} comparison
          {ex.data.comparisons_withheld === 1 ? "" : "s"} with records not shared for your purpose.
        </div>
      )}
      {pairs.length > 0 && (
        <div className="sv-scroll">
          <table className="wf-pairs">
            <caption>Comparisons with the other records, strongest first</caption>
            <TableHead columns={["Compared with", { num: "Match weight" }, "Probability", "Decision", "Steps"]} />
            <tbody>
              {pairs.map((p) => {
                const other = byId.get(p.person_record_id);
                const isOpen = current === p.person_record_id;
                return (
                  <tr key={p.person_record_id} className={isOpen ? "wf-pair-open" : undefined}>
                    <th scope="row">{recordName(other, p.source_id, names)}</th>
                    {p.match_weight !== undefined ? (
                      <>
                        <td className="num">{signed(p.match_weight, 2)}</td>
                        <td>{p.probability !== undefined ? percent(p.probability) : ""}</td>
                        <td>{decisionWords(p.decision)}</td>
                      </>
                    ) : (
                      <td colSpan={3}>
                        <span className="tag tag-withheld">Withheld</span>
                        Total not shown: {p.withheld_steps} comparison{p.withheld_steps === 1 ? "" : "s"} withheld under agreement terms
                      </td>
                    )}
                    <td>
                      <button type="button" className="button-link" aria-pressed={isOpen} onClick={() => setOpen(p.person_record_id)}>
                        {isOpen ? "Showing below" : "Show steps"}
                        <span className="sv-vh"> for {recordName(other, p.source_id, names)}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pairs
        .filter((p) => p.person_record_id === current)
        .map((p) => (
          <Waterfall
            key={p.person_record_id}
            waterfall={p}
            labelA="This record"
            labelB="Other record"
            caption={`Evidence that ${thisLabel} and ${recordName(byId.get(p.person_record_id), p.source_id, names)} are the same person`}
          />
        ))}
    </div>
  );
}
