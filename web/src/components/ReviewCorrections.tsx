// Correcting who the hub says a person is, by hand: merging two people who are one (MergeForm)
// and splitting records off a person that belong to someone else (SplitForm). Both are
// practitioner decisions kept with their reason in the hub's decision log; the server stores
// them and answers 202, and the hub's resolver applies them at its next run (within seconds).
// Used on the clerical review page and meant for the person page.
import { useState } from "react";
import { api, ApiError } from "../lib/api";
import { Link } from "../lib/router";
import { useSession } from "../lib/session";
import type { MergeResult, SplitResult } from "../lib/types";
import { ReasonConfirmForm } from "./ReasonConfirmForm";
import { Choice, FieldError } from "./FormParts";

// What a refusal means for a correction, in plain words.
function correctionError(e: unknown, what: string, notFound: string): string {
  if (!(e instanceof ApiError)) return String(e);
  if (e.status === 403) return `You may not ${what} under your stated purpose or role. ${e.detail}`.trim();
  if (e.status === 404) return notFound;
  if (e.status === 409) return `This was not recorded: ${e.detail || e.title}.`;
  return e.detail || e.title;
}

function NotPractitioner({ what }: { what: string }) {
  return <p className="muted">Only practitioners may {what}. You can see the records but not change how they are linked.</p>;
}

// Merge another person (by id) into this one: "these two are the same person".
export function MergeForm({
  nominalId,
  suggestedOther,
  onDone,
}: {
  nominalId: number;
  suggestedOther?: number;
  onDone?: (r: MergeResult) => void;
}) {
  const session = useSession();
  const [other, setOther] = useState(suggestedOther ? String(suggestedOther) : "");

  if (!session.hasRole("practitioner")) return <NotPractitioner what="merge people" />;

  const otherId = Number(other.trim());

  return (
    <ReasonConfirmForm
      title={`Merge another person into person ${nominalId}`}
      hint="Use this when two people on the hub are in fact one person."
      check={() => {
        if (!/^\d+$/.test(other.trim()) || otherId <= 0) return "Enter the other person's id, a whole number.";
        if (otherId === nominalId) return "Enter a different person's id: this is the person you are merging into.";
      }}
      fields={({ uid, error, changed }) => (
        <div className="field">
          <label htmlFor={`${uid}-other`}>Other person's id</label>
          <p className="hint" id={`${uid}-other-hint`}>
            The number at the end of their person page's address, for example 123 in /person/123.
          </p>
          {error && <FieldError id={`${uid}-other-error`}>{error}</FieldError>}
          <input
            id={`${uid}-other`}
            className="review-id-input"
            inputMode="numeric"
            autoComplete="off"
            value={other}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${uid}-other-hint${error ? ` ${uid}-other-error` : ""}`}
            onChange={(e) => {
              setOther(e.target.value);
              changed();
            }}
          />
        </div>
      )}
      reasonHint="Why you are sure they are the same person, for example what you checked."
      openButton="Merge…"
      confirmLabel="Confirm the merge"
      confirmText={`You are recording that person ${nominalId} and person ${otherId} are the same person. All their records will be shown together.`}
      confirmButton="Confirm merge"
      send={(reason) => api<MergeResult>(`/nominals/${nominalId}/merge`, { method: "POST", body: { other: otherId, reason } })}
      failure={(e) =>
        correctionError(e, "merge these people", `There is no person ${otherId} you may see, or person ${nominalId} is no longer one you may see. Check the id.`)
      }
      done={(r) => (
        <>
          <strong>Merge recorded.</strong> Person {r.nominal_id} and person {r.other} are recorded as the same person (
          {r.link_decisions.length} link decision{r.link_decisions.length === 1 ? "" : "s"}, reason kept). The resolver will apply this
          within seconds; the older id will then stay and the other will lead to it.{" "}
          <Link to={`/person/${r.nominal_id}`}>Open person {r.nominal_id}</Link>.
        </>
      )}
      onDone={onDone}
    />
  );
}

// Split some records off this person: "these records are someone else".
export function SplitForm({
  nominalId,
  records,
  initiallyChosen = [],
  onDone,
}: {
  nominalId: number;
  records: { person_record_id: number; label: string }[];
  initiallyChosen?: number[];
  onDone?: (r: SplitResult) => void;
}) {
  const session = useSession();
  const [chosen, setChosen] = useState<number[]>(initiallyChosen.filter((id) => records.some((r) => r.person_record_id === id)));

  if (!session.hasRole("practitioner")) return <NotPractitioner what="split records off a person" />;
  if (records.length < 2) {
    return <p className="muted">Person {nominalId} has only one record you may see, so there is nothing to split off.</p>;
  }

  const chosenLabels = records.filter((r) => chosen.includes(r.person_record_id)).map((r) => r.label);

  return (
    <ReasonConfirmForm
      title={`Split records off person ${nominalId}`}
      hint="Use this when some of this person's records belong to someone else."
      check={() => {
        if (chosen.length === 0) return "Choose at least one record to split off.";
        if (chosen.length === records.length) return "Leave at least one record with this person.";
      }}
      fields={({ uid, error, changed }) => (
        <fieldset className="field" aria-describedby={error ? `${uid}-records-error` : undefined}>
          <legend>Records that are a different person</legend>
          {error && <FieldError id={`${uid}-records-error`}>{error}</FieldError>}
          {records.map((r) => (
            <Choice
              key={r.person_record_id}
              type="checkbox"
              id={`${uid}-r${r.person_record_id}`}
              label={r.label}
              checked={chosen.includes(r.person_record_id)}
              onChange={() => {
                changed();
                setChosen((c) => (c.includes(r.person_record_id) ? c.filter((x) => x !== r.person_record_id) : [...c, r.person_record_id]));
              }}
            />
          ))}
        </fieldset>
      )}
      reasonHint="Why these records are someone else, for example what you checked."
      openButton="Split…"
      confirmLabel="Confirm the split"
      confirmText={`You are recording that ${chosenLabels.length === 1 ? "this record is" : `these ${chosenLabels.length} records are`} a different person from the rest of person ${nominalId}: ${chosenLabels.join("; ")}.`}
      confirmButton="Confirm split"
      send={(reason) => api<SplitResult>(`/nominals/${nominalId}/split`, { method: "POST", body: { records: chosen, reason } })}
      failure={(e) =>
        correctionError(e, "split this person", `Person ${nominalId}, or one of the records chosen, is no longer one you may see. Reload the page and try again.`)
      }
      done={(r) => (
        <>
          <strong>Split recorded.</strong> {r.records.length} record{r.records.length === 1 ? "" : "s"} will be split off person {r.nominal_id}{" "}
          as a different person ({r.link_decisions.length} link decision{r.link_decisions.length === 1 ? "" : "s"} shown
          {r.link_decisions_withheld > 0 ? `, ${r.link_decisions_withheld} more with records withheld from you` : ""}). The resolver will
          apply this within seconds.
        </>
      )}
      onDone={onDone}
    />
  );
}
