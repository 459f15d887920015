// End-to-end check of the dashboard page in real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core). Run by tests/integration/dashboard against a live pipeline.
//
//   node e2e.mjs --url http://127.0.0.1:PORT/ --mode pipeline --bootstrap HOST:PORT
//                --connector NAME --host HOST --screenshot /tmp/x/dashboard.png
//   node e2e.mjs --url … --mode outage --screenshot /tmp/x/outage.png
//
// --proxy-prefix /sentinel/ puts a reverse proxy (this script, node:http) in front that serves the
// dashboard under that path prefix, as nginx would, and loads the page through it: every URL the
// page uses must be relative.
//
// pipeline: the page loads, the charts receive points, an alert produced with kcat into
// system_alerts appears in the alerts table within 3 s (the latency is printed), the connector
// shows RUNNING, a screenshot is saved. outage: the page shows Kafka and sentinel-connect as
// unreachable, with their banners. Prints "e2e ok …" lines; exits 1 with "e2e FAILED: …".
import { chromium } from "playwright-core";
import { spawnSync } from "node:child_process";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const mode = args.mode || "pipeline";
const chromiumPath = args.chromium || "/usr/bin/chromium";

function log(msg) { console.log(msg); }
async function step(name, fn) {
  const t0 = Date.now();
  try {
    const r = await fn();
    log(`e2e ok ${name} (${Date.now() - t0} ms)${r !== undefined ? ": " + r : ""}`);
    return r;
  } catch (e) {
    throw new Error(`${name}: ${e.message.split("\n")[0]}`);
  }
}

// A reverse proxy serving the dashboard at `prefix` (the prefix stripped, responses streamed).
function startProxy(target, prefix) {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith(prefix)) { res.writeHead(404); res.end("outside the prefix"); return; }
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, headers: req.headers,
                              path: "/" + req.url.slice(prefix.length) }, (upRes) => {
      res.writeHead(upRes.statusCode, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let proxy = null;
if (args["proxy-prefix"]) {
  proxy = await startProxy(args.url, args["proxy-prefix"]);
  args.url = `http://127.0.0.1:${proxy.address().port}${args["proxy-prefix"]}`;
  log(`e2e ok reverse proxy at ${args.url}`);
}

// Polls `fn` in the page until it returns true. (page.waitForFunction evaluates a string in the
// page, which the dashboard's Content-Security-Policy rightly forbids; page.evaluate goes through
// the DevTools protocol.)
async function waitForPage(page, fn, arg, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(fn, arg).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${fn.toString().slice(0, 120)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const profile = mkdtempSync(join(tmpdir(), "sentinel-e2e-chromium-"));
let browser;
let exitCode = 0;
try {
  // A fresh profile in a temporary folder, removed at the end.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage"],
  });
  const page = browser.pages()[0] || await browser.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  // Nothing may come from anywhere but the dashboard itself.
  const foreign = [];
  const origin = new URL(args.url).origin;
  page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) foreign.push(r.url()); });
  const failed = [];
  page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });

  await step("page loads", async () => {
    const res = await page.goto(args.url, { waitUntil: "load" });
    if (!res || res.status() !== 200) throw new Error(`HTTP ${res && res.status()}`);
    const title = await page.title();
    if (title !== "Sentinel") throw new Error(`title "${title}"`);
    await waitForPage(page, () => window.sentinelDashboard && window.sentinelDashboard.ticks() > 1, undefined, 10000);
    return `title ${title}`;
  });

  if (mode === "pipeline") {
    await step("kafka shown ok", async () => {
      await page.waitForSelector('#kafka-state[data-state="ok"]', { timeout: 20000 });
    });
    await step("host listed", async () => {
      await page.waitForSelector(`#hosts tr[data-host="${args.host}"]`, { timeout: 20000 });
      return await page.textContent(`#hosts tr[data-host="${args.host}"]`);
    });
    await step("charts receive points", async () => {
      await waitForPage(page, () => window.sentinelDashboard.chartPoints() >= 4, undefined, 20000);
      const n = await page.evaluate(() => window.sentinelDashboard.chartPoints());
      const hosts = await page.evaluate(() => window.sentinelDashboard.chartedHosts());
      // uPlot drew them: each chart has its canvas.
      const canvases = await page.locator("#charts canvas").count();
      if (canvases < 4) throw new Error(`only ${canvases} chart canvases`);
      return `${n} points on ${canvases} charts for ${hosts.join(",")}`;
    });
    await step("http chart receives points", async () => {
      await waitForPage(page, () => window.sentinelDashboard.httpPoints() > 0, undefined, 20000);
      return `${await page.evaluate(() => window.sentinelDashboard.httpPoints())} seconds; ${await page.textContent("#http-summary")}`;
    });
    await step("connector state RUNNING", async () => {
      const sel = `#connectors tr[data-connector="${args.connector}"] td.state`;
      await waitForPage(page, (s) => { const e = document.querySelector(s); return e && e.textContent === "RUNNING"; },
                        sel, 20000);
      return await page.textContent(`#connectors tr[data-connector="${args.connector}"]`);
    });
    await step("injected alert in the table within 3 s", async () => {
      const id = `e2e_probe/host=${args.host}/${Date.now()}`;
      const now = Date.now();
      const alert = { v: 1, id, rule: "e2e_probe", state: "firing", severity: "critical",
                      labels: { host: args.host, resource: "cpu" }, value: 97.3, threshold: 90.0,
                      window: { start: now - 60000, end: now, agg: "avg" }, since: now, ts: now,
                      summary: `cpu usage_pct avg 97.3 > 90 over 60s on ${args.host}` };
      const t0 = Date.now();
      const kcat = spawnSync("kcat", ["-P", "-b", args.bootstrap, "-t", "system_alerts", "-K", "\t"],
                             { input: `${id}\t${JSON.stringify(alert)}\n`, timeout: 10000 });
      if (kcat.status !== 0) throw new Error(`kcat: ${kcat.stderr}`);
      const produced = Date.now();
      const sel = `#alerts-firing tr[data-id="${id}"]`;
      await page.waitForSelector(sel, { timeout: 10000 });
      const latency = Date.now() - produced;
      log(`e2e alert latency ms ${latency} (kcat took ${produced - t0} ms)`);
      if (latency > 3000) throw new Error(`appeared after ${latency} ms, more than 3000`);
      const text = await page.textContent(sel);
      if (!text.includes("97.30") || !text.includes("90.00") || !text.includes("critical")) throw new Error(`row "${text}"`);
      const hostState = await page.textContent(`#hosts tr[data-host="${args.host}"] td.state`);
      if (!hostState.startsWith("alerting")) throw new Error(`host state "${hostState}" is not alerting`);
      return `${latency} ms: ${text}`;
    });
  } else if (mode === "scale") {
    // Many hosts: the table pages, the charts stay few, the page keeps up with its ticks.
    const hosts = Number(args.hosts);
    await step(`${hosts} hosts listed in pages`, async () => {
      await waitForPage(page, (n) => document.querySelector("#host-counts").textContent.startsWith(`${n} hosts`), hosts, 30000);
      const rows = await page.evaluate(() => window.sentinelDashboard.hostRows());
      if (rows !== 50) throw new Error(`${rows} rows on the first page, expected 50`);
      return `${await page.textContent("#host-counts")}; ${await page.textContent("#host-page")}`;
    });
    await step("filter finds one host", async () => {
      await page.fill("#host-filter", args.host);
      await waitForPage(page, () => window.sentinelDashboard.hostRows() === 1, undefined, 5000);
      await page.click(`#hosts tr[data-host="${args.host}"]`);
      await waitForPage(page, (h) => window.sentinelDashboard.chartedHosts().join() === h, args.host, 5000);
      await waitForPage(page, () => window.sentinelDashboard.chartPoints() >= 4, undefined, 10000);
      return `charted ${await page.evaluate(() => window.sentinelDashboard.chartedHosts().join())}`;
    });
    await step("ticks keep coming", async () => {
      const before = await page.evaluate(() => window.sentinelDashboard.ticks());
      await waitForPage(page, (b) => window.sentinelDashboard.ticks() >= b + 5, before, 15000);
      const ms = await page.evaluate(() => window.sentinelDashboard.renderMs());
      const sorted = ms.slice().sort((a, b) => a - b);
      const p50 = sorted[Math.floor(sorted.length / 2)], max = sorted[sorted.length - 1];
      log(`e2e render ms per tick with ${hosts} hosts: p50 ${p50.toFixed(1)} max ${max.toFixed(1)} over ${ms.length} ticks`);
      return `${ms.length} renders`;
    });
  } else if (mode === "outage") {
    await step("kafka shown unreachable", async () => {
      await page.waitForSelector('#kafka-state[data-state="unreachable"]', { timeout: 30000 });
      await page.waitForSelector("#kafka-banner", { timeout: 5000 });
      return await page.textContent("#kafka-banner");
    });
    await step("connect shown unreachable", async () => {
      await page.waitForSelector('#connect-state[data-state="unreachable"]', { timeout: 30000 });
      await page.waitForSelector("#connect-banner", { timeout: 5000 });
      return await page.textContent("#connect-message");
    });
  }

  await step("screenshot saved", async () => {
    await page.screenshot({ path: args.screenshot, fullPage: true });
    return args.screenshot;
  });
  await step("no foreign requests, no page errors", async () => {
    if (foreign.length) throw new Error(`requests outside the dashboard: ${foreign.join(" ")}`);
    if (failed.length) throw new Error(`failed requests: ${failed.join(" ")}`);
    const errors = consoleErrors.filter((e) => !e.includes("net::ERR"));
    if (errors.length) throw new Error(`console errors: ${errors.join(" | ")}`);
  });
  log(`e2e passed (${mode})`);
} catch (e) {
  console.log(`e2e FAILED: ${e.message}`);
  exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  if (proxy) proxy.closeAllConnections ? (proxy.closeAllConnections(), proxy.close()) : proxy.close();
}
process.exit(exitCode);
