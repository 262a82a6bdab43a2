// The way to the previous and the next page of a long list: each a link (`to`, when the page is
// in the URL) or a button (`onClick`); either may be left out, and with neither there is no nav.
import { Link } from "../lib/router";

export interface PageStep {
  label: string;
  to?: string;
  onClick?: () => void;
}

export function Pager({ label, back, next, className = "pager" }: { label: string; back?: PageStep | false; next?: PageStep | false; className?: string }) {
  if (!back && !next) return null;
  return (
    <nav className={className} aria-label={label}>
      {back && <Step step={back} />}
      {next && <Step step={next} />}
    </nav>
  );
}

function Step({ step }: { step: PageStep }) {
  if (step.to !== undefined) {
    return (
      <Link to={step.to} className="button button-secondary">
        {step.label}
      </Link>
    );
  }
  return (
    <button type="button" className="button-secondary" onClick={step.onClick}>
      {step.label}
    </button>
  );
}
