// The end-to-end harness: a real hub (scripts/demo-hub: a generated synthetic area, ingested,
// resolved, with demo users and the example agreements), a real `tessera serve` serving the
// built web app, and Debian's Chromium driven by playwright-core. Every request that is not to
// the local server is aborted and remembered: the app must work with no internet access.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, mkdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "../..");
export const outputDir = join(here, "output");
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const TESSERA = process.env.TESSERA_BIN ?? join(root, "build/release/tessera");

// Builds a hub of `people` in a temporary directory and serves it; returns {url, hub, users,
// stop()}. Users: {username: password} from HUB/demo-users.txt.
export async function startHub({ people = 2000, seed = 11 } = {}) {
  for (const [what, path] of [
    ["the tessera binary (make release)", TESSERA],
    ["Debian's chromium (scripts/install-deps)", CHROMIUM],
    ["the built web app (make web)", join(root, "web/dist/index.html")],
  ]) {
    if (!existsSync(path)) throw new Error(`e2e: ${what} is missing: ${path}`);
  }
  const hub = join(mkdtempSync(join(tmpdir(), "tessera-e2e-")), "hub");
  execFileSync("bash", [join(root, "scripts/demo-hub"), hub, String(people), String(seed)], {
    env: { ...process.env, TESSERA_BIN: TESSERA },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const users = {};
  for (const line of readFileSync(join(hub, "demo-users.txt"), "utf8").split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length >= 4) users[parts[0]] = parts[parts.length - 1];
  }
  const server = spawn(TESSERA, ["serve", "--data", hub, "--port", "0", "--web", join(root, "web/dist")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error("e2e: tessera serve did not start:\n" + log)), 30000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = /listening on (https?:\/\/[0-9.]+:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (code) => reject(new Error(`e2e: tessera serve exited with ${code}:\n${log}`)));
  });
  return {
    url,
    hub,
    users,
    serverLog: () => log,
    async stop() {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
      if (!process.env.KEEP_HUB) rmSync(dirname(hub), { recursive: true, force: true });
    },
  };
}

// A headless Chromium whose pages may reach only `origin`.
export async function startBrowser(origin) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const blocked = [];
  async function newPage() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
    await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u.startsWith(origin + "/") || u === origin) return route.continue();
      blocked.push(u);
      return route.abort("blockedbyclient");
    });
    const page = await context.newPage();
    page.consoleErrors = [];
    page.on("pageerror", (e) => page.consoleErrors.push(String(e)));
    return page;
  }
  return { browser, newPage, blocked };
}

// Runs axe-core (WCAG 2.1 A and AA rules) on the page; returns the serious and critical
// violations. axe is evaluated through the DevTools protocol, which the page's CSP does not
// govern, so the app's own CSP stays as strict as in production.
export async function seriousViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export async function screenshot(page, name) {
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: join(outputDir, `${name}.png`), fullPage: true });
}

// The API as a test's setup sees it (bearer token; reads are audited like any other).
export async function apiSession(url, username, password) {
  const r = await fetch(url + "/api/v1/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!r.ok) throw new Error(`e2e: sign-in as ${username} failed: ${r.status}`);
  const { token } = await r.json();
  return async (path, { purpose, justification = "e2e test setup", method = "GET", body } = {}) => {
    const headers = { Authorization: `Bearer ${token}` };
    if (purpose) {
      headers["X-Purpose"] = purpose;
      headers["X-Justification"] = justification;
    }
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(url + "/api/v1" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
}
