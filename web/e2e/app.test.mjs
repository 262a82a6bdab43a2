// The web app end to end, as issue 6 asks: a practitioner signs in, states a purpose, finds a
// person by a misspelt name and sees events from at least three agencies; a user without the
// agreement sees withheld markers; a clerical-review decision sticks; the audit page shows the
// views just made. Issue 7: an analyst builds and runs a cohort, sees the families several
// agencies work with, and records a decision about a person's risk score; an information-
// governance officer opens a model's report with its approval step. Every page visited is
// checked with axe-core and screenshotted, and no request may leave the local server.
// Run: node web/e2e/app.test.mjs (ctest: web_e2e).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { apiSession, screenshot, seriousViolations, startBrowser, startHub } from "./harness.mjs";

const PURPOSE = "child_safeguarding";
const JUSTIFICATION = "MASH referral 2026/0412";

let hub;
let browser;
const axeFindings = [];

// Checks the page with axe-core and keeps the findings; the last test asserts there were none.
async function check(page, name) {
  await page.waitForLoadState("networkidle");
  await screenshot(page, name);
  const v = await seriousViolations(page);
  for (const x of v) axeFindings.push({ page: name, ...x });
}

async function signIn(page, username, { purpose = PURPOSE, justification = JUSTIFICATION, shots = false } = {}) {
  await page.goto(hub.url + "/");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(hub.users[username]);
  if (shots) await check(page, "01-sign-in");
  await page.getByLabel("Password").press("Enter");
  if (!purpose) {
    await page.waitForSelector("text=Sign out");
    return;
  }
  await page.getByRole("heading", { name: "What are you working on?" }).waitFor();
  await page.locator(`#purpose-${purpose}`).check();
  await page.getByLabel("Justification").fill(justification);
  if (shots) await check(page, "02-purpose");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("region", { name: "Your stated purpose" }).waitFor();
}

// A misspelling search should still find: two letters of the family name swapped.
function misspell(family) {
  const f = family.toLowerCase();
  return f.length >= 4 ? f[0] + f[2] + f[1] + f.slice(3) : f + "e";
}

describe("the web app", { concurrency: false }, () => {
  let api; // sw.jones through the API, for choosing test subjects
  let subject; // {id, given, family, agencies}

  before(async () => {
    hub = await startHub({ people: 2000, seed: 11 });
    browser = await startBrowser(hub.url);
    api = await apiSession(hub.url, "sw.jones", hub.users["sw.jones"]);
  });

  after(async () => {
    if (browser) await browser.browser.close();
    if (hub) await hub.stop();
  });

  it("finds a person by a misspelt name and shows events from at least three agencies", async () => {
    // Choose someone known to three or more agencies whom the misspelt search finds.
    for (const surname of ["smith", "jones", "taylor", "brown", "williams", "wilson", "davies", "evans", "thomas", "johnson", "roberts", "walker", "wright", "robinson", "thompson", "white", "hughes", "edwards", "green", "hall", "wood", "harris", "lewis", "martin", "jackson", "clarke", "clark", "turner", "hill", "scott", "cooper", "morris", "ward", "moore", "king", "watson", "baker", "harrison", "morgan", "patel", "young", "allen", "mitchell", "james", "anderson", "phillips", "lee", "bell", "parker", "davis"]) {
      const found = await api(`/search?q=${surname}&limit=25`, { purpose: PURPOSE });
      for (const r of found.body?.results ?? []) {
        const profile = await api(`/nominals/${r.nominal_id}`, { purpose: PURPOSE });
        const name = profile.body?.attributes?.name?.best?.value;
        if (!name?.given || !name?.family || name.family.length < 5) continue;
        const timeline = await api(`/nominals/${r.nominal_id}/timeline?limit=500`, { purpose: PURPOSE });
        const agencies = new Set((timeline.body?.events ?? []).map((e) => e.agency));
        if (agencies.size < 3) continue;
        const q = `${name.given.toLowerCase()} ${misspell(name.family)}`;
        const check = await api(`/search?q=${encodeURIComponent(q)}&limit=10`, { purpose: PURPOSE });
        if (!(check.body?.results ?? []).some((x) => x.nominal_id === r.nominal_id)) continue;
        subject = { id: r.nominal_id, given: name.given, family: name.family, query: q, agencies };
        break;
      }
      if (subject) break;
    }
    assert.ok(subject, "the generated world has someone known to three agencies whom a misspelt search finds");

    const page = await browser.newPage();
    await signIn(page, "sw.jones", { shots: true });
    const box = page.getByLabel("Name, date of birth, postcode or identifier");
    await box.fill(subject.query);
    await box.press("Enter");
    const result = page.getByRole("link", { name: new RegExp(`${subject.given}.*${subject.family}`, "i") }).first();
    await result.waitFor();
    await check(page, "03-search");
    // Keyboard: the result is reached and opened without the mouse.
    await result.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: new RegExp(subject.family, "i") }).waitFor();
    await page.getByRole("table", { name: /timeline|events/i }).first().waitFor();
    await check(page, "04-person");

    // Events from at least three agencies are on the page, in the timeline's table.
    const table = page.getByRole("table", { name: /timeline|events/i }).first();
    const agencyColumn = await table.locator("tbody tr td:nth-child(2)").allInnerTexts();
    const shown = new Set(agencyColumn.map((t) => t.trim()).filter(Boolean));
    assert.ok(shown.size >= 3, `events from ${shown.size} agencies shown: ${[...shown].join(", ")}`);
    assert.deepEqual(page.consoleErrors, []);
  });

  it("lets a practitioner open the household, the address and a match explanation", async () => {
    const page = await browser.newPage();
    await signIn(page, "sw.jones");
    await page.goto(`${hub.url}/person/${subject.id}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    const why = page.getByRole("button", { name: /why is this record here/i }).first();
    await why.click();
    await page.getByText(/match weight|probability/i).first().waitFor();
    await check(page, "05-person-explanation");
    const household = page.locator('a[href^="/household/"]').first();
    if ((await household.count()) > 0) {
      await household.click();
      await page.getByRole("heading", { level: 1, name: /household/i }).waitFor();
      await check(page, "06-household");
    }
    await page.goto(`${hub.url}/person/${subject.id}`);
    const address = page.locator('a[href^="/address/"]').first();
    await address.click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await check(page, "07-address");
  });

  it("produces a meeting chronology marked OFFICIAL-SENSITIVE, audited as a disclosure", async () => {
    const page = await browser.newPage();
    await signIn(page, "sw.jones");
    await page.goto(`${hub.url}/person/${subject.id}/chronology`);
    await page.getByLabel(/meeting/i).first().fill("MARAC 2026-12-01");
    await page.getByRole("button", { name: /produce|create|show|generate/i }).first().click();
    await page.getByText("OFFICIAL-SENSITIVE").filter({ visible: true }).first().waitFor();
    await page.getByRole("table").first().waitFor();
    await check(page, "08-chronology");
  });

  it("shows withheld markers to a user whose agreement does not share everything", async () => {
    // Someone with records that child safeguarding's agreement does not share with sw.jones.
    let withheldId = null;
    for (const surname of ["smith", "jones", "taylor", "brown", "williams", "wilson", "khan", "ali", "evans", "thomas", "roberts", "hughes", "lewis", "walker", "wright"]) {
      const found = await api(`/search?q=${surname}&limit=25`, { purpose: PURPOSE });
      for (const r of found.body?.results ?? []) {
        const profile = await api(`/nominals/${r.nominal_id}`, { purpose: PURPOSE });
        if (profile.body?.withheld?.total > 0 || profile.body?.withheld_fields?.length > 0) {
          withheldId = r.nominal_id;
          break;
        }
      }
      if (withheldId) break;
    }
    assert.ok(withheldId, "someone has records withheld from children's social care under child safeguarding");
    const page = await browser.newPage();
    await signIn(page, "sw.jones");
    await page.goto(`${hub.url}/person/${withheldId}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.getByText(/withheld under agreement terms/i).first().waitFor();
    await check(page, "09-person-withheld");
  });

  it("keeps a clerical-review decision", async () => {
    const queue = await api("/review?limit=50", { purpose: PURPOSE });
    assert.equal(queue.status, 200);
    const pair = (queue.body.pairs ?? []).find((p) => p.status === undefined || p.status === "open");
    assert.ok(pair, "the review queue has an open pair both of whose records sw.jones may see");
    const pairId = pair.review_pair_id;

    const page = await browser.newPage();
    await signIn(page, "sw.jones");
    await page.goto(`${hub.url}/review`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await check(page, "10-review-queue");
    await page.goto(`${hub.url}/review/${pairId}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await check(page, "11-review-pair");
    await page.getByLabel(/different people/i).check();
    await page.getByLabel(/reason/i).fill("Different dates of birth and schools; confirmed with the school.");
    await page.getByRole("button", { name: /record decision|save decision|submit/i }).click();
    // The confirmation itself: a looser pattern also matches "Not recorded" beside a missing
    // field, and would let the check below run before the decision is stored.
    await page.getByText(`Decision recorded for pair ${pairId}`).waitFor();

    const after = await api(`/review/${pairId}`, { purpose: PURPOSE });
    assert.equal(after.status, 200);
    assert.equal(after.body.status, "rejected");
  });

  it("shows the data-quality and agreement pages", async () => {
    const page = await browser.newPage();
    await signIn(page, "sw.jones");
    await page.goto(`${hub.url}/quality`);
    await page.getByRole("heading", { level: 1, name: /data quality/i }).waitFor();
    await page.locator('a[href^="/quality/loads/"]').first().waitFor();
    await check(page, "12-quality");
    await page.locator('a[href^="/quality/loads/"]').first().click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForLoadState("networkidle");
    await check(page, "13-load-quality");
    await page.goto(`${hub.url}/agreements`);
    await page.locator('a[href^="/agreements/"]').first().waitFor();
    await check(page, "14-agreements");
    await page.locator('a[href^="/agreements/"]').first().click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await check(page, "15-agreement");
  });

  it("shows an information-governance officer the views just made", async () => {
    const page = await browser.newPage();
    await signIn(page, "igo.wright", { purpose: null });
    await page.goto(`${hub.url}/audit`);
    await page.getByRole("heading", { level: 1, name: /audit/i }).waitFor();
    // The IGO may not open person pages: the audit links the person to who viewed them.
    await page.locator(`a[href="/person/${subject.id}/viewers"]`).first().waitFor();
    await check(page, "16-audit");
    await page.goto(`${hub.url}/person/${subject.id}/viewers`);
    await page.getByText("sw.jones").first().waitFor();
    await check(page, "17-viewers");
    await page.goto(`${hub.url}/usage`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await check(page, "18-usage");
  });

  it("shows an analyst the indicators raised for a household, with their evidence", async () => {
    const analyst = await apiSession(hub.url, "analyst.patel", hub.users["analyst.patel"]);
    let household = null;
    for (let h = 1; h <= 400 && !household; h++) {
      const r = await analyst(`/households/${h}/indicators`, { purpose: "risk_assessment" });
      const raised = (r.body?.indicators ?? []).find((i) => i.raised && i.events.length > 0);
      if (raised) household = { id: h, title: raised.title };
    }
    assert.ok(household, "some household has an indicator raised from events the analyst may see");
    // A practitioner under child safeguarding is told where indicators are, not shown them.
    const api403 = await api(`/households/${household.id}/indicators`, { purpose: PURPOSE });
    assert.equal(api403.status, 403);

    const page = await browser.newPage();
    await signIn(page, "analyst.patel", { purpose: "risk_assessment", justification: "Supporting Families review 2026/17" });
    await page.goto(`${hub.url}/household/${household.id}`);
    const table = page.getByRole("table", { name: /indicators/i });
    await table.waitFor();
    const row = table.getByRole("row", { name: new RegExp(household.title) }).first();
    await row.getByText("Raised", { exact: true }).waitFor();
    // Each shown member's risk score, judged as the person page judges it, linking to the person.
    const scores = page.getByRole("table", { name: /risk scores of the household/i });
    await scores.waitFor();
    const members = await analyst(`/households/${household.id}/risk`, { purpose: "risk_assessment" });
    assert.equal(members.status, 200);
    const scored = members.body.members.find((m) => m.state === "scored" && m.probability >= 0.01 && m.probability <= 0.99);
    if (scored) {
      const pctText = `${(scored.probability * 100).toFixed(0)}%`;
      await scores.getByRole("row").filter({ hasText: pctText }).first().waitFor();
    }
    assert.equal(await scores.getByRole("link").count(), members.body.members.length);
    await check(page, "19-household-indicators");
  });

  it("shows an analyst demand and the households several agencies are working with", async () => {
    const analyst = await apiSession(hub.url, "analyst.patel", hub.users["analyst.patel"]);
    const today = new Date().toISOString().slice(0, 10);
    const listed = await analyst(`/analytics/duplicate-interventions?as_of=${today}&gap_days=90&limit=100`, {
      purpose: "risk_assessment",
    });
    assert.equal(listed.status, 200);
    // Under another purpose the API refuses, and the page explains instead of erroring.
    const refused = await api(`/analytics/demand`, { purpose: PURPOSE });
    assert.equal(refused.status, 403);

    const page = await browser.newPage();
    await signIn(page, "analyst.patel", { purpose: "risk_assessment", justification: "Supporting Families review 2026/18" });
    await page.getByRole("link", { name: "Demand" }).click();
    await page.getByRole("heading", { level: 1, name: "Demand" }).waitFor();
    await page.getByRole("checkbox", { name: "Month", exact: true }).check();
    await page.getByRole("button", { name: "Show demand" }).click();
    await page.getByRole("table", { name: /Events by agency and month/ }).waitFor();
    await page.getByRole("img", { name: /Bar chart of events by month/ }).waitFor();
    await page.getByRole("table", { name: /Events by postcode district/ }).waitFor();
    await page.getByRole("heading", { name: "Assumptions" }).waitFor();
    // The late-intervention cost estimate, with its assumptions beside it.
    await page.getByRole("table", { name: /Estimated cost of late intervention/ }).waitFor();
    await page.getByRole("complementary", { name: "An estimate, not a budget" }).waitFor();
    await check(page, "20-demand");

    await page.getByRole("link", { name: "Working together" }).click();
    await page.getByRole("heading", { level: 1, name: "Working together" }).waitFor();
    await page.getByRole("table", { name: /Households by the number of agencies/ }).waitFor();
    if ((listed.body?.households ?? []).length > 0) {
      const table = page.getByRole("table", { name: /Households with two or more agencies/ });
      await table.waitFor();
      const first = listed.body.households[0].household_id;
      await table.getByRole("link", { name: `Household ${first}` }).waitFor();
    } else {
      await page.getByText("No households", { exact: true }).waitFor();
    }
    await page.getByText(/advisory/).first().waitFor();
    await check(page, "21-working-together");
  });

  it("lets an analyst build, preview, save and run a cohort, and follow a member to their page", async () => {
    const page = await browser.newPage();
    await signIn(page, "analyst.patel", { purpose: "risk_assessment", justification: "Early help cohort review 2026/19" });
    await page.getByRole("link", { name: "Cohorts", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Cohorts" }).waitFor();
    await page.getByRole("link", { name: "New cohort" }).click();
    await page.getByRole("heading", { level: 1, name: "New cohort" }).waitFor();
    const name = `Two or more agencies ${Date.now()}`;
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel(/Description/).fill("Families known to two or more agencies in the last year");
    // The builder starts with one condition: agencies involved. Set it: 2 agencies in 12 months.
    await page.getByLabel("At least this many agencies").fill("2");
    await page.getByLabel("Within the last (months)").fill("12");
    // An indicator condition offers the hub's own indicator rules, by title, and no choice until
    // one is made; it is removed again.
    await page.getByLabel("Kind of condition to add").selectOption("indicator");
    await page.getByRole("button", { name: "Add condition" }).click();
    const indicator = page.getByRole("group", { name: /Condition 2: An indicator is raised/ }).getByLabel("Indicator");
    await indicator.locator("option", { hasText: "Domestic abuse" }).first().waitFor({ state: "attached" });
    assert.equal(await indicator.inputValue(), "", "no indicator is chosen for the user");
    const offered = await indicator.locator("option").allTextContents();
    // Read in the page's own session: another sign-in would count against the login throttle.
    const rules = await page.evaluate(() => fetch("/api/v1/analytics/indicator-rules").then((r) => r.json()));
    assert.deepEqual(offered.slice(1), rules.rules.map((r) => r.title), "the options are the hub's rules");
    await indicator.selectOption({ label: "Domestic abuse" });
    assert.equal(await indicator.inputValue(), "tf_domestic_abuse");
    await page.getByRole("button", { name: "Remove condition 2" }).click();
    // Add a second condition and remove it again, as a keyboard user would.
    await page.getByLabel("Kind of condition to add").selectOption("age");
    await page.getByRole("button", { name: "Add condition" }).click();
    await page.getByRole("group", { name: /Condition 2: Age/ }).waitFor();
    await page.getByRole("button", { name: "Remove condition 2" }).click();
    await page.getByLabel("Agencies involved, most first").check();
    const preview = page.getByRole("status").filter({ hasText: "Preview:" });
    await preview.getByText(/\d[\d,]* (people match|person matches)|Fewer than 5 people match/).waitFor();
    await check(page, "22-cohort-builder");
    await page.getByRole("button", { name: "Save cohort" }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    await page.getByText("Known to at least 2 agencies in the last 12 months").waitFor();

    await page.getByRole("button", { name: "Run now" }).click();
    const members = page.getByRole("table", { name: /^Members 1 to \d+ of [\d,]+, in rank order/ });
    await members.waitFor();
    await page.getByRole("table", { name: /Runs of this cohort/ }).waitFor();
    await page.getByRole("img", { name: /Bar chart of members at each/ }).waitFor();
    const exportLink = page.getByRole("link", { name: "Export members as CSV" });
    await exportLink.waitFor();
    assert.match(await exportLink.getAttribute("href"), /^\/api\/v1\/cohorts\/\d+\/runs\/\d+\/export\.csv$/);
    const ranks = (await members.locator("tbody tr td:first-child").allInnerTexts()).map((t) => Number(t.trim()));
    assert.ok(ranks.length > 0, "the run has members");
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), "members are listed in rank order");
    await check(page, "23-cohort");
    if (ranks.length >= 5) {
      const [download] = await Promise.all([page.waitForEvent("download"), exportLink.click()]);
      assert.match(download.suggestedFilename(), /\.csv$/);
    }

    const first = members.locator("tbody tr").first().getByRole("link");
    const href = await first.getAttribute("href");
    assert.match(href, /^\/person\/\d+$/);
    await first.click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.getByRole("region", { name: "Risk score" }).waitFor();
    assert.equal(new URL(page.url()).pathname.startsWith("/person/"), true);
    assert.deepEqual(page.consoleErrors, []);
  });

  it("lists the families several agencies are working with", async () => {
    const analyst = await apiSession(hub.url, "analyst.patel", hub.users["analyst.patel"]);
    const today = new Date().toISOString().slice(0, 10);
    // The widest definition the page offers that still lists families in this world.
    let gap = null;
    for (const g of [90, 180, 365]) {
      const r = await analyst(`/analytics/duplicate-interventions?as_of=${today}&gap_days=${g}&limit=100`, { purpose: "risk_assessment" });
      assert.equal(r.status, 200);
      if ((r.body.households ?? []).length > 0) {
        gap = { days: g, first: r.body.households[0].household_id };
        break;
      }
    }
    assert.ok(gap, "two or more agencies are involved with some household at once");

    const page = await browser.newPage();
    await signIn(page, "analyst.patel", { purpose: "risk_assessment", justification: "Working together review 2026/20" });
    await page.getByRole("link", { name: "Working together" }).click();
    await page.getByRole("heading", { level: 1, name: "Working together" }).waitFor();
    await page.getByLabel("Days an involvement stays open after an event").fill(String(gap.days));
    await page.getByRole("button", { name: "Show", exact: true }).click();
    const table = page.getByRole("table", { name: /Households with two or more agencies/ });
    await table.waitFor();
    await table.getByRole("link", { name: `Household ${gap.first}`, exact: true }).waitFor();
    assert.ok((await table.locator("tbody tr").count()) > 0);
    await check(page, "24-working-together-families");
  });

  it("shows a person's risk score with its factors, and keeps a practitioner's decision", async () => {
    const analyst = await apiSession(hub.url, "analyst.patel", hub.users["analyst.patel"]);
    let scored = null;
    for (let id = 1; id <= 600 && !scored; id++) {
      const r = await analyst(`/nominals/${id}/risk`, { purpose: "risk_assessment" });
      if (r.status === 200 && r.body.state === "scored" && (r.body.factors ?? []).length > 0) scored = r.body;
    }
    assert.ok(scored, "the demo hub's approved model scored someone the analyst may see, with factors");
    const id = scored.nominal_id;

    const page = await browser.newPage();
    await signIn(page, "analyst.patel", { purpose: "risk_assessment", justification: "Early help assessment 2026/21" });
    await page.goto(`${hub.url}/person/${id}`);
    const panel = page.getByRole("region", { name: "Risk score" });
    await panel.getByText("estimated chance of").waitFor();
    await panel.getByText(/^\d+%$|^under 1%$|^over 99%$/).first().waitFor();
    await panel.getByText(/Advisory only: a person decides/).waitFor();
    await panel.getByText(/of [\d,]+ people scored/).waitFor();
    const factors = panel.getByRole("table", { name: /Factors, largest effect first/ });
    await factors.waitFor();
    assert.ok((await factors.locator("tbody tr:not([hidden])").count()) >= 1, "factors are listed");
    await panel.getByRole("img", { name: /Bar chart of the \d+ factors/ }).waitFor();
    // A factor with events opens to list them.
    const show = factors.getByRole("button", { name: /^Show \d+ events?/ }).first();
    if ((await show.count()) > 0) {
      await show.click();
      await factors.getByRole("button", { name: /^Hide/ }).first().waitFor();
    }

    const reason = `Matches the school's concerns, e2e ${Date.now()}`;
    await panel.getByRole("button", { name: "Record decision" }).click();
    await panel.getByText("Choose agree, disagree or action.").waitFor();
    await panel.getByRole("radio", { name: "Agree", exact: true }).check();
    await panel.getByLabel("Reason", { exact: true }).fill(reason);
    await panel.getByRole("button", { name: "Record decision" }).click();
    await panel.getByText(/Decision recorded: Agree/).waitFor();
    const history = panel.getByRole("table", { name: /Decisions, newest first/ });
    await history.getByText(reason).waitFor();
    await check(page, "25-person-risk");

    // The decision is kept: a fresh read of the panel lists it.
    const after = await analyst(`/nominals/${id}/risk`, { purpose: "risk_assessment" });
    assert.ok((after.body.decisions ?? []).some((d) => d.reason === reason && d.decision === "agree"));
    await page.reload();
    await page.getByRole("region", { name: "Risk score" }).getByRole("table", { name: /Decisions, newest first/ }).getByText(reason).waitFor();
    assert.deepEqual(page.consoleErrors, []);
  });

  it("shows an information-governance officer a model's report with the approval controls", async () => {
    const page = await browser.newPage();
    await signIn(page, "igo.wright", { purpose: null });
    await page.getByRole("link", { name: "Risk models" }).click();
    await page.getByRole("heading", { level: 1, name: "Risk models" }).waitFor();
    const link = page.getByRole("table", { name: /Model versions/ }).locator('a[href^="/models/"]').first();
    await link.waitFor();
    const href = await link.getAttribute("href");
    await check(page, "26-models");
    await link.click();
    await page.getByRole("heading", { level: 1, name: /^Risk model / }).waitFor();
    const approval = page.getByRole("region", { name: "Approval" });
    await approval.waitFor();
    await approval.getByRole("button", { name: "Approve for use" }).waitFor();
    const disable = approval.getByRole("button", { name: "Disable (kill switch)" });
    await disable.waitFor();
    await approval.getByLabel("Reason", { exact: true }).waitFor();
    // No decision without a reason: the kill switch asks for one and changes nothing.
    if (await disable.isEnabled()) {
      await disable.click();
      await approval.getByText(/Give a reason/).first().waitFor();
    }
    await page.getByRole("table", { name: "The model against the simple rule" }).waitFor();
    await page.getByRole("img", { name: /Reliability diagram/ }).waitFor();
    await page.getByRole("table", { name: /Reliability of the model/ }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Transparency record" }).waitFor();
    await check(page, "27-model-report");
    const models = await (await apiSession(hub.url, "igo.wright", hub.users["igo.wright"]))("/risk/models");
    assert.ok(models.body.models.some((m) => m.state === "approved"), "the kill switch was not thrown without a reason");
    // An analyst reads the report but is not offered the approval step.
    const analystPage = await browser.newPage();
    await signIn(analystPage, "analyst.patel", { purpose: null });
    await analystPage.goto(`${hub.url}${href}`);
    await analystPage.getByRole("heading", { level: 1, name: /^Risk model / }).waitFor();
    await analystPage.getByRole("heading", { level: 2, name: "How well it predicts" }).waitFor();
    assert.equal(await analystPage.getByRole("region", { name: "Approval" }).count(), 0);
  });

  it("made no request off the local server, and no page has a serious accessibility failure", () => {
    assert.deepEqual(browser.blocked, [], "requests to anywhere but the hub were attempted");
    assert.deepEqual(axeFindings, [], "axe-core found serious or critical WCAG 2.1 AA violations");
  });
});
