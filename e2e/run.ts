/**
 * `npm run test:e2e`: the browser suite (playwright-core driving Debian's Chromium) against a
 * running stack at E2E_BASE_URL (default http://127.0.0.1:5173, i.e. `npm run dev`). Runs the
 * journey, the error paths and the admin's Usage screen on a desktop and a phone viewport, audits
 * every screen with axe, and measures the login page's LCP on a throttled phone; ends with
 * `N passed, N failed`.
 */
import { chromium } from "playwright-core";
import { chromiumPath, requireChromium } from "./browser.ts";
import { care } from "./care.ts";
import { adminUsage } from "./admin-usage.ts";
import { errorPaths } from "./error-paths.ts";
import { assert, Suite } from "./harness.ts";
import { LCP_BUDGET_MS, measureLoginLcp } from "./lcp.ts";
import { journey, viewports } from "./journey.ts";
import { baseUrl, modelCallsToday } from "./stack.ts";

requireChromium();
const suite = new Suite();

const health = await fetch(`${baseUrl}/api/health`).catch(() => null);
if (!health?.ok) {
  console.log(`✗ the stack at ${baseUrl} is not answering /api/health (start it with npm run dev)`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
console.log(`e2e against ${baseUrl} with ${chromiumPath} (Chromium ${browser.version()})`);

try {
  for (const viewport of viewports) {
    const callsBefore = await modelCallsToday();
    await journey(suite, browser, viewport);
    await errorPaths(suite, browser, viewport);
    await care(suite, browser, viewport);
    await adminUsage(suite, browser, viewport, callsBefore);
  }
  await suite.test(`phone on slow 4G, 4x slower CPU: the login page's LCP is at most ${LCP_BUDGET_MS} ms`, null, async () => {
    // The median of three cold loads: one run on a shared machine can catch another process's CPU burst.
    const runs = [await measureLoginLcp(browser), await measureLoginLcp(browser), await measureLoginLcp(browser)];
    const load = runs.sort((a, b) => a.lcpMs - b.lcpMs)[1] ?? runs[0];
    assert(load, "no measurement");
    console.log(`    LCP ${runs.map((r) => r.lcpMs).join(" / ")} ms, median ${load.lcpMs}; ${load.transferredBytes} bytes in ${load.responses} responses (${load.scripts} scripts)`);
    assert(load.lcpMs > 0, "no largest-contentful-paint entry was recorded");
    assert(load.lcpMs <= LCP_BUDGET_MS, `LCP ${load.lcpMs} ms is over ${LCP_BUDGET_MS} ms`);
  });
  await suite.test("the browser reported no CSP violation and no uncaught error", null, async () => {
    if (suite.browserProblems.length > 0) throw new Error([...new Set(suite.browserProblems)].join("\n"));
  });
  await suite.test("axe found no serious or critical accessibility violation on any screen, desktop and phone", null, async () => {
    if (suite.accessibilityProblems.length > 0) throw new Error(suite.accessibilityProblems.join("\n"));
  });
} finally {
  await browser.close();
}

console.log(`${suite.passed} passed, ${suite.failed} failed`);
process.exit(suite.failed === 0 ? 0 : 1);
