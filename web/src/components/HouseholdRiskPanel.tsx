// The household page's risk scores (issue 7): each shown member's score from the approved model,
// judged member by member as the person page judges it (a member whose score draws on what the
// viewer may not see is shown as withheld), with the three factors that moved it most. The
// explanation in full, its events and the decision control are on each person's page: a
// decision is about one person's score.
import { Link } from "../lib/router";
import { useApi } from "../lib/useApi";
import { formatDate } from "../lib/format";
import { ordinal, pct, type NominalRisk } from "../lib/risk";
import { RiskPurposeNote, useRiskPurposeStated } from "./RiskPurpose";
import { ErrorNotice, Loading } from "./Status";
import { TableHead } from "./TableHead";

interface MemberRisk {
  nominal_id: number;
  name?: string | null;
  state: NominalRisk["state"];
  message?: string;
  probability?: number;
  rank?: number;
  of?: number;
  as_of?: string;
  top_factors?: { label: string; contribution: number }[];
}

interface HouseholdRisk {
  household_id: number;
  model?: NominalRisk["model"];
  members: MemberRisk[];
}

export function HouseholdRiskPanel({ id }: { id: string }) {
  const allowed = useRiskPurposeStated();
  const result = useApi<HouseholdRisk>(allowed ? `/households/${encodeURIComponent(id)}/risk` : null);
  if (!allowed) return <RiskPurposeNote what="Risk scores are" className="muted" />;
  if (result.loading) return <Loading what="the members' risk scores" />;
  if (result.error) return <ErrorNotice error={result.error} what="the members' risk scores" />;
  const data = result.data;
  if (!data) return null;
  if (data.members.length === 0) return <p className="muted">No member of this household is shown to you.</p>;
  return (
    <div className="risk-panel">
      {data.model ? (
        <p className="notice notice-info" role="note">
          <strong>Advisory only: a person decides.</strong> Estimated chance that {data.model.outcome_title.charAt(0).toLowerCase() + data.model.outcome_title.slice(1)}, from model {data.model.version}. Open a person to see the whole explanation and to record your decision.
        </p>
      ) : (
        <p className="notice notice-info" role="note">
          No risk model is approved for use: scores are shown only once an information-governance officer approves one.
        </p>
      )}
      <table>
        <caption>Risk scores of the household's members shown to you</caption>
        <TableHead columns={["Member", "Estimated chance", "Rank", "What moved it most"]} />
        <tbody>
          {data.members.map((m) => (
            <tr key={m.nominal_id}>
              <td>
                <Link to={`/person/${m.nominal_id}#risk`}>{m.name || `Person ${m.nominal_id}`}</Link>
              </td>
              {m.state === "scored" && m.probability !== undefined ? (
                <>
                  <td>
                    <strong>{pct(m.probability)}</strong>
                    {m.as_of && <div className="muted">as of {formatDate(m.as_of)}</div>}
                  </td>
                  <td>{m.rank && m.of ? `${ordinal(m.rank)} of ${m.of.toLocaleString("en-GB")}` : "—"}</td>
                  <td>
                    <ul className="sv-plain-list">
                      {(m.top_factors ?? []).map((f) => (
                        <li key={f.label}>
                          {f.contribution >= 0 ? "▲ raises" : "▼ lowers"}: {f.label}
                        </li>
                      ))}
                    </ul>
                  </td>
                </>
              ) : (
                <td colSpan={3} className={m.state === "withheld" ? "tag-withheld" : "muted"}>
                  {m.state === "withheld" && (
                    <span className="withheld-icon" aria-hidden="true">
                      ⊘{" "}
                    </span>
                  )}
                  {m.message}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
