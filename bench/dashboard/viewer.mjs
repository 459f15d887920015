// bench/dashboard: keeps the dashboard page open in Debian's headless Chromium for a while and
// prints the page's render time per tick. Usage: node viewer.mjs BUILD_DIR URL SECONDS
import { pathToFileURL } from "node:url";

const [build, url, seconds] = process.argv.slice(2);
const { chromium } = await import(pathToFileURL(`${build}/dashboard-web/node_modules/playwright-core/index.mjs`).href);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium", headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(url);
console.log("viewer: page open");
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
const ms = (await page.evaluate(() => window.sentinelDashboard.renderMs())).sort((a, b) => a - b);
const ticks = await page.evaluate(() => window.sentinelDashboard.ticks());
const points = await page.evaluate(() => window.sentinelDashboard.chartPoints());
console.log(`viewer: ticks ${ticks} render_p50_ms ${ms[Math.floor(ms.length / 2)].toFixed(1)} ` +
            `render_max_ms ${ms[ms.length - 1].toFixed(1)} chart_points ${points}`);
await browser.close();
