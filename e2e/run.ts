/**
 * `npm run test:e2e`: the browser suite (playwright-core driving Debian's Chromium) against a
 * running stack at E2E_BASE_URL (default http://127.0.0.1:5173, i.e. `npm run dev`). Runs the
 * journey and the error paths on a desktop and a phone viewport; ends with `N passed, N failed`.
 */
import { chromium } from "playwright-core";
import { chromiumPath, requireChromium } from "./browser.ts";
import { care } from "./care.ts";
import { errorPaths } from "./error-paths.ts";
import { Suite } from "./harness.ts";
import { journey, viewports } from "./journey.ts";
import { baseUrl } from "./stack.ts";

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
    await journey(suite, browser, viewport);
    await errorPaths(suite, browser, viewport);
    await care(suite, browser, viewport);
  }
  await suite.test("the browser reported no CSP violation and no uncaught error", null, async () => {
    if (suite.browserProblems.length > 0) throw new Error([...new Set(suite.browserProblems)].join("\n"));
  });
} finally {
  await browser.close();
}

console.log(`${suite.passed} passed, ${suite.failed} failed`);
process.exit(suite.failed === 0 ? 0 : 1);
