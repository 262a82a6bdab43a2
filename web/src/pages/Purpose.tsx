// Stating a purpose: which of the user's open purposes (each backed by an agreement for their
// agency and role) they are working under, and a justification such as a case or referral
// reference. Both go with every request and into the audit log.
import { useState, type FormEvent } from "react";
import { navigate } from "../lib/router";
import { useSession } from "../lib/session";
import { humanise } from "../lib/format";
import { BreakGlassRequest } from "../components/GovBreakGlass";
import { Field, RadioGroup } from "../components/FormParts";

export function PurposePage({ next }: { next?: string }) {
  const session = useSession();
  const status = session.status!;
  const [purpose, setPurpose] = useState(session.stated?.purpose ?? "");
  const [justification, setJustification] = useState(session.stated?.justification ?? "");
  const [error, setError] = useState<string | null>(null);
  const options = [...status.purposes];
  const glass = status.break_glass;
  if (glass && !options.some((p) => p.code === glass.purpose)) {
    options.push({ code: glass.purpose, name: `${humanise(glass.purpose)} (emergency access)`, agreements: [] });
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!purpose) return setError("Choose the purpose you are working under.");
    if (justification.trim().length < 3) return setError("Give a justification, such as a case or referral reference.");
    session.state({ purpose, justification: justification.trim() });
    const target = next && next !== "/purpose" ? next : "/search";
    navigate(target, true);
  }

  if (!status.trained) {
    return (
      <div className="narrow">
        <h1>Your training has expired</h1>
        <p>
          You need up-to-date information-sharing training to see personal data. Ask your
          information-governance officer to record your training.
        </p>
      </div>
    );
  }

  if (options.length === 0) {
    return (
      <div className="narrow">
        <h1>No purpose is open to you</h1>
        <p>
          No information-sharing agreement in force names your agency and role. You can still use the
          pages that hold no personal data. Ask your information-governance officer if you need access.
        </p>
        <BreakGlassRequest />
      </div>
    );
  }

  return (
    <div className="narrow">
      <h1>What are you working on?</h1>
      <p>
        Choose the purpose you are working under. You will see only what the agreements behind it
        share, and your purpose and justification are recorded with every search and view.
      </p>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      <form onSubmit={submit} noValidate>
        <fieldset className="field">
          <legend>Purpose</legend>
          <RadioGroup
            name="purpose"
            value={purpose}
            onChange={setPurpose}
            options={options.map((p) => ({
              value: p.code,
              label: (
                <>
                  {p.name}
                  {p.agreements.length > 0 && <span className="hint"> under {p.agreements.join(", ")}</span>}
                </>
              ),
            }))}
          />
        </fieldset>
        <Field id="justification" label="Justification" hint={`For example a referral, case or meeting reference: "MASH referral 2026/0412".`}>
          <input id="justification" value={justification} maxLength={200} onChange={(e) => setJustification(e.target.value)} />
        </Field>
        <button type="submit">Continue</button>
      </form>
      <BreakGlassRequest />
    </div>
  );
}
