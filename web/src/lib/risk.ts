// The shapes of the risk-score, model-report and cohort answers (docs/design/0013), and the
// words they are shown in: a probability as a percentage, a rank as "12th of 4,000", a decision
// kind as a sentence.

export interface RiskEvent {
  event_id: number;
  nominal_id?: number; // household factors: the co-member whose event it is
  date?: string | null;
  source_id: string;
  agency: string;
  category: string;
  type: string;
}

export interface RiskFactor {
  feature: string;
  label: string;
  value: number | null;
  contribution: number;
  events: RiskEvent[];
  events_total: number;
}

export interface RiskDecision {
  id: number;
  decision: DecisionKind;
  reason: string;
  by: string;
  agency: string;
  at: string;
  version: string;
  probability: number | null;
}

export type DecisionKind = "agree" | "disagree" | "action";

export interface NominalRisk {
  nominal_id: number;
  state: "scored" | "not_scored" | "no_approved_model" | "withheld";
  message?: string;
  withheld_reason?: string;
  model?: {
    version: string;
    outcome: string;
    outcome_title: string;
    approved_by: string;
    approved_at: string;
    input_datasets: string[];
  };
  score?: {
    probability: number;
    margin: number;
    bias: number;
    rank: number;
    of: number;
    as_of: string;
    scored_at: string;
    base_rate: number | null;
  };
  factors?: RiskFactor[];
  other_contribution?: number;
  decisions?: RiskDecision[];
}

export const DECISIONS: { value: DecisionKind; label: string; hint: string }[] = [
  { value: "agree", label: "Agree", hint: "The score fits what I know about this person." },
  { value: "disagree", label: "Disagree", hint: "The score does not fit what I know; say why." },
  { value: "action", label: "Action", hint: "I am acting on this, for example a referral, a visit or a meeting; say what." },
];

export function decisionLabel(d: string): string {
  return DECISIONS.find((x) => x.value === d)?.label ?? d;
}

// Model metrics; any of them may be null when the hub could not compute them.
export interface MetricSummary {
  roc_auc: number | null;
  pr_auc: number | null;
  ece: number | null;
  baseline_roc_auc: number | null;
  baseline_pr_auc: number | null;
  k: number | null;
  precision_at_k: number | null;
  recall_at_k: number | null;
  rows: number | null;
  positives: number | null;
  fairness_flags: string[];
}

export interface ModelEntry {
  version: string;
  outcome: string;
  outcome_title: string;
  state: "pending" | "approved" | "disabled";
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  training_data_sha256: string;
  input_datasets: string[];
  summary: MetricSummary | null;
  scores: { count: number; as_of: string } | null;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  predicted: number | null;
  observed: number | null;
}

export interface FairnessGroup {
  group: string;
  n: number;
  positives: number;
  fpr: number | null;
  fnr: number | null;
  fpr_assessed: boolean;
  fnr_assessed: boolean;
}

export interface FairnessAxis {
  axis: string;
  fpr_gap: number | null;
  fnr_gap: number | null;
  flagged: boolean;
  groups: FairnessGroup[];
}

export interface ModelScores {
  name: string;
  roc_auc: number | null;
  pr_auc: number | null;
  ece: number | null;
  ece_ci95: [number | null, number | null] | null;
  top_k: { k: number; precision: number | null; recall: number | null; true_positives: number | null } | null;
  reliability: ReliabilityBin[];
  fairness: FairnessAxis[];
}

export interface ModelReport extends ModelEntry {
  report: {
    outcome: string;
    cutoff: string;
    rows: number;
    positives: number;
    model: ModelScores;
    baseline: ModelScores;
  } | null;
  transparency_record: string | null;
  decisions_vs_outcomes: {
    window_days: number;
    suppress_below: number;
    rows: { decision: string; count: number | null; followed: number | null; rate: number | null; pending: number | null }[];
  } | null;
}

// Cohorts.
export type Condition =
  | { indicator: string }
  | { score: { at_least: number } | { top: number } }
  | { area: string[] }
  | { agencies: { at_least: number; within_months: number; of?: string[] } }
  | { age: { from: number; to: number } };

export type RankBy = "score" | "indicators" | "agencies" | "events";

export interface CohortDefinition {
  criteria: Condition[];
  rank_by: RankBy;
}

export interface CohortRun {
  id: number;
  run_at: string;
  as_of: string;
  actor: string;
  members: number | null;
  suppressed: boolean;
  joined: number | null;
  left: number | null;
}

export interface Cohort {
  id: number;
  name: string;
  description: string;
  definition: CohortDefinition | null;
  owner: string;
  created_at: string;
  updated_at: string;
  last_run?: CohortRun | null;
  runs?: CohortRun[];
}

// A member the viewer may not see (a restriction withholds them) keeps only its rank.
export interface CohortMember {
  rank: number;
  withheld?: boolean;
  nominal_id: number | null;
  name: string | null;
  age: number | null;
  district: string | null;
  score: number | null;
  reasons: string[];
  first_seen: string | null;
  status: "new" | "continuing" | null;
}

export interface CohortMembers {
  run: CohortRun;
  total: number;
  members: CohortMember[];
  left: number[];
  left_total?: number;
}

export const RANK_BY: { value: RankBy; label: string }[] = [
  { value: "score", label: "Risk score, highest first" },
  { value: "indicators", label: "Indicators raised, most first" },
  { value: "agencies", label: "Agencies involved, most first" },
  { value: "events", label: "Events recorded, most first" },
];

// 0.231 -> "23%"; small and large values are not rounded to certainty.
export function pct(p: number | null | undefined, digits = 0): string {
  if (p === null || p === undefined || Number.isNaN(p)) return "not available";
  const v = p * 100;
  if (v > 0 && v < 0.5 && digits === 0) return "under 1%";
  if (v < 100 && v > 99.5 && digits === 0) return "over 99%";
  return `${v.toFixed(digits)}%`;
}

// A metric to 3 decimal places, or "not available".
export function metric(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || Number.isNaN(v) ? "not available" : v.toFixed(digits);
}

// 1 -> "1st", 12 -> "12th", 22 -> "22nd".
export function ordinal(n: number): string {
  const s = n % 100;
  if (s >= 11 && s <= 13) return `${n.toLocaleString("en-GB")}th`;
  const suffix = ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n.toLocaleString("en-GB")}${n % 10 > 3 ? "th" : suffix}`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? "not available" : n.toLocaleString("en-GB");
}
