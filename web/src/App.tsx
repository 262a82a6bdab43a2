// The app's shell: sign-in, the stated purpose, navigation by role, and the page for the URL.
// Every page is reached through ROUTES below; a page needing personal data is shown only once
// a purpose and justification are stated (the server enforces this too, and audits it).
import { useEffect, useRef, type ReactNode } from "react";
import { RouterProvider, useLocation, match, Link, navigate } from "./lib/router";
import { SessionProvider, useSession } from "./lib/session";
import { SignInPage } from "./pages/SignIn";
import { PurposePage } from "./pages/Purpose";
import { SearchPage } from "./pages/Search";
import { PersonPage } from "./pages/Person";
import { ChronologyPage } from "./pages/Chronology";
import { HouseholdPage } from "./pages/Household";
import { AddressPage } from "./pages/Address";
import { ReviewQueuePage, ReviewPairPage } from "./pages/Review";
import { QualityPage, LoadQualityPage } from "./pages/Quality";
import { AgreementsPage, AgreementPage } from "./pages/Agreements";
import { AuditPage, UsagePage, ViewersPage } from "./pages/Audit";
import { DemandPage } from "./pages/Demand";
import { InterventionsPage } from "./pages/Interventions";
import { ModelPage, ModelsPage } from "./pages/Models";
import { CohortPage, CohortRunPage, CohortsPage, NewCohortPage } from "./pages/Cohorts";
import { agencyName, humanise } from "./lib/format";

interface RouteDef {
  pattern: string;
  title: string;
  // Needs a stated purpose (the page reads personal data).
  personal: boolean;
  // Any of these roles; empty: any signed-in user.
  roles: string[];
  render: (params: Record<string, string>) => ReactNode;
}

const PRACTICE = ["practitioner", "analyst"];
const AUDITORS = ["information_governance_officer", "administrator"];
const MODEL_READERS = ["analyst", ...AUDITORS];

const ROUTES: RouteDef[] = [
  { pattern: "/", title: "Search", personal: true, roles: PRACTICE, render: () => <SearchPage /> },
  { pattern: "/search", title: "Search", personal: true, roles: PRACTICE, render: () => <SearchPage /> },
  { pattern: "/purpose", title: "Your purpose", personal: false, roles: [], render: () => <PurposePage next={localNext()} /> },
  { pattern: "/person/:id", title: "Person", personal: true, roles: PRACTICE, render: (p) => <PersonPage id={p.id} /> },
  { pattern: "/person/:id/chronology", title: "Chronology", personal: true, roles: PRACTICE, render: (p) => <ChronologyPage id={p.id} /> },
  { pattern: "/person/:id/viewers", title: "Who viewed this person", personal: false, roles: AUDITORS, render: (p) => <ViewersPage id={p.id} /> },
  { pattern: "/household/:id", title: "Household", personal: true, roles: PRACTICE, render: (p) => <HouseholdPage id={p.id} /> },
  { pattern: "/address/:id", title: "Address", personal: true, roles: PRACTICE, render: (p) => <AddressPage id={p.id} /> },
  { pattern: "/review", title: "Clerical review", personal: true, roles: PRACTICE, render: () => <ReviewQueuePage /> },
  { pattern: "/review/:id", title: "Review pair", personal: true, roles: PRACTICE, render: (p) => <ReviewPairPage id={p.id} /> },
  { pattern: "/demand", title: "Demand", personal: true, roles: PRACTICE, render: () => <DemandPage /> },
  { pattern: "/working-together", title: "Working together", personal: true, roles: PRACTICE, render: () => <InterventionsPage /> },
  { pattern: "/cohorts", title: "Cohorts", personal: true, roles: PRACTICE, render: () => <CohortsPage /> },
  { pattern: "/cohorts/new", title: "New cohort", personal: true, roles: PRACTICE, render: () => <NewCohortPage /> },
  { pattern: "/cohorts/:id", title: "Cohort", personal: true, roles: PRACTICE, render: (p) => <CohortPage id={p.id} /> },
  { pattern: "/cohorts/:id/runs/:run", title: "Cohort run", personal: true, roles: PRACTICE, render: (p) => <CohortRunPage id={p.id} run={p.run} /> },
  { pattern: "/models", title: "Risk models", personal: false, roles: MODEL_READERS, render: () => <ModelsPage /> },
  { pattern: "/models/:version", title: "Risk model", personal: false, roles: MODEL_READERS, render: (p) => <ModelPage version={p.version} /> },
  { pattern: "/quality", title: "Data quality", personal: false, roles: [], render: () => <QualityPage /> },
  { pattern: "/quality/loads/:id", title: "Load quality", personal: false, roles: [], render: (p) => <LoadQualityPage id={p.id} /> },
  { pattern: "/agreements", title: "Agreements", personal: false, roles: [], render: () => <AgreementsPage /> },
  { pattern: "/agreements/:code", title: "Agreement", personal: false, roles: [], render: (p) => <AgreementPage code={p.code} /> },
  { pattern: "/audit", title: "Audit", personal: false, roles: AUDITORS, render: () => <AuditPage /> },
  { pattern: "/usage", title: "Usage by agency", personal: false, roles: AUDITORS, render: () => <UsagePage /> },
];

// Where to go after stating a purpose: ?next=, when it is a path on this site.
function localNext(): string | undefined {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : undefined;
}

interface NavItem {
  to: string;
  label: string;
  roles: string[];
}
const NAV: NavItem[] = [
  { to: "/search", label: "Search", roles: PRACTICE },
  { to: "/review", label: "Clerical review", roles: PRACTICE },
  { to: "/demand", label: "Demand", roles: PRACTICE },
  { to: "/working-together", label: "Working together", roles: PRACTICE },
  { to: "/cohorts", label: "Cohorts", roles: PRACTICE },
  { to: "/models", label: "Risk models", roles: MODEL_READERS },
  { to: "/quality", label: "Data quality", roles: [] },
  { to: "/agreements", label: "Agreements", roles: [] },
  { to: "/audit", label: "Audit", roles: AUDITORS },
  { to: "/usage", label: "Usage", roles: AUDITORS },
];

export function App() {
  return (
    <RouterProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </RouterProvider>
  );
}

function Shell() {
  const session = useSession();
  const { path } = useLocation();
  const mainRef = useRef<HTMLElement>(null);

  let route: RouteDef | undefined;
  let params: Record<string, string> = {};
  for (const r of ROUTES) {
    const m = match(r.pattern, path);
    if (m) {
      route = r;
      params = m;
      break;
    }
  }

  useEffect(() => {
    document.title = `${route?.title ?? "Not found"} – Tessera`;
    // Move focus to the page's main content on navigation, as a screen reader user expects.
    mainRef.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [path, route]);

  if (session.loading) {
    return (
      <main id="main" className="container" tabIndex={-1} ref={mainRef}>
        <p role="status">Loading…</p>
      </main>
    );
  }

  let body: ReactNode;
  if (!session.status) {
    body = <SignInPage />;
  } else if (!route) {
    body = (
      <>
        <h1>Page not found</h1>
        <p>
          There is no page at this address. <Link to="/">Go to search</Link>.
        </p>
      </>
    );
  } else if (route.roles.length && !session.hasRole(...route.roles)) {
    body = (
      <>
        <h1>{route.title}</h1>
        <p>
          This page is for {route.roles.map(humanise).join(" or ")} users. You are signed in as{" "}
          {session.status.user.roles.map(humanise).join(", ")}.
        </p>
      </>
    );
  } else if (route.personal && !session.stated) {
    body = <PurposePage next={path + window.location.search} />;
  } else {
    body = route.render(params);
  }

  const isPrint = route?.pattern === "/person/:id/chronology";

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      {!isPrint && <Header />}
      {session.status && session.stated && !isPrint && <PurposeBanner />}
      {session.endedReason && !session.status && (
        <div className="container">
          <div className="notice notice-info" role="status">
            {session.endedReason}
          </div>
        </div>
      )}
      <main id="main" className={isPrint ? "print-page" : "container"} tabIndex={-1} ref={mainRef}>
        {body}
      </main>
      {session.warningSeconds !== null && <TimeoutWarning seconds={session.warningSeconds} />}
      {!isPrint && (
        <footer className="site-footer">
          <div className="container">
            Tessera multi-agency hub. Every search and view is recorded with your purpose and
            justification. <span className="marking">OFFICIAL-SENSITIVE</span>
          </div>
        </footer>
      )}
    </>
  );
}

function Header() {
  const session = useSession();
  const { path } = useLocation();
  const user = session.status?.user;
  return (
    <header className="site-header">
      <div className="container header-row">
        <Link to="/" className="brand">
          Tessera
        </Link>
        {user && (
          <nav aria-label="Main">
            <ul className="nav-list">
              {NAV.filter((n) => !n.roles.length || session.hasRole(...n.roles)).map((n) => (
                <li key={n.to}>
                  <Link to={n.to} aria-current={path === n.to || (n.to === "/search" && path === "/") ? "page" : undefined}>
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {user && (
          <div className="user-box">
            <span>
              {user.display_name}
              <span className="muted"> · {agencyName(user.agency)}</span>
            </span>
            <button type="button" className="button-link" onClick={() => session.signOut("You have signed out.")}>
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}

function PurposeBanner() {
  const session = useSession();
  const stated = session.stated!;
  const purpose = session.status?.purposes.find((p) => p.code === stated.purpose);
  const glass = session.status?.break_glass;
  return (
    <div className={glass ? "purpose-banner break-glass" : "purpose-banner"} role="region" aria-label="Your stated purpose">
      <div className="container purpose-row">
        <span>
          <strong>Purpose:</strong> {purpose?.name ?? humanise(stated.purpose)}
          {glass && glass.purpose === stated.purpose && <strong> (emergency access)</strong>}
          <span className="muted"> · Justification: </span>
          <span data-testid="justification">{stated.justification}</span>
        </span>
        <button type="button" className="button-secondary button-small" onClick={() => navigate("/purpose")}>
          Change purpose
        </button>
      </div>
    </div>
  );
}

function TimeoutWarning({ seconds }: { seconds: number }) {
  const session = useSession();
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    buttonRef.current?.focus();
  }, []);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return (
    <div className="modal-backdrop">
      <div role="alertdialog" aria-modal="true" aria-labelledby="timeout-title" aria-describedby="timeout-text" className="modal">
        <h2 id="timeout-title">You will be signed out soon</h2>
        <p id="timeout-text">
          You have not used Tessera for a while. To protect the data, you will be signed out in{" "}
          <strong>
            {minutes > 0 ? `${minutes} minute${minutes > 1 ? "s" : ""} ` : ""}
            {rest} second{rest === 1 ? "" : "s"}
          </strong>
          .
        </p>
        <div className="button-row">
          <button type="button" ref={buttonRef} onClick={() => session.staySignedIn()}>
            Stay signed in
          </button>
          <button type="button" className="button-secondary" onClick={() => session.signOut("You have signed out.")}>
            Sign out now
          </button>
        </div>
      </div>
    </div>
  );
}
