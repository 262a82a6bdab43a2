// Derived data (indicators, demand, working together, scores) is shared only under the purpose
// "risk assessment" (issue 7); the server refuses it otherwise. Pages ask riskPurposeStated()
// and, when it is not, show RiskPurposeNote instead of an error.
import { Link } from "../lib/router";
import { useSession } from "../lib/session";

export const RISK_PURPOSE = "risk_assessment";

export function useRiskPurposeStated(): boolean {
  return useSession().stated?.purpose === RISK_PURPOSE;
}

// `what` begins the sentence: "Indicators are", "This list is"; `pronoun` goes with it.
export function RiskPurposeNote({ what, pronoun = "they are", className }: { what: string; pronoun?: string; className?: string }) {
  return (
    <p className={className}>
      {what} derived from several agencies' records, so {pronoun} shown only under the purpose "Risk
      assessment" (<Link to={`/purpose?next=${encodeURIComponent(window.location.pathname)}`}>change purpose</Link>,
      if an agreement gives it to you).
    </p>
  );
}
