/**
 * The login page's Largest Contentful Paint on a phone over Lighthouse's slow-4G profile: 150 ms
 * round trips, 1.6 Mbps down, 750 kbps up (Lighthouse's `mobileSlow4G`), the CPU slowed 4× — a
 * cold load, nothing cached. LCP comes from the page's own PerformanceObserver.
 *
 *   node e2e/lcp.ts     # prints the measurement for E2E_BASE_URL (docs/BENCHMARKS.md, "SPA load")
 */
import { chromium, type Browser } from "playwright-core";
import { baseUrl } from "./stack.ts";

export const SLOW_4G = {
  latencyMs: 150,
  downloadBytesPerSecond: (1.6 * 1024 * 1024) / 8,
  uploadBytesPerSecond: (750 * 1024) / 8,
  cpuSlowdown: 4,
} as const;

export const LCP_BUDGET_MS = 2_500;

export interface LoadMeasurement {
  lcpMs: number;
  /** What crossed the network (compressed), and in how many responses. */
  transferredBytes: number;
  responses: number;
  scripts: number;
}

export async function measureLoginLcp(browser: Browser, path = "/login"): Promise<LoadMeasurement> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    // A string, not a function: this file is compiled for Node, without the DOM's types.
    await page.addInitScript({
      content: `window.__lcp = 0;
        new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__lcp = entry.startTime; })
          .observe({ type: "largest-contentful-paint", buffered: true });`,
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: SLOW_4G.latencyMs,
      downloadThroughput: SLOW_4G.downloadBytesPerSecond,
      uploadThroughput: SLOW_4G.uploadBytesPerSecond,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: SLOW_4G.cpuSlowdown });
    let transferredBytes = 0;
    let responses = 0;
    let scripts = 0;
    cdp.on("Network.loadingFinished", (event) => {
      transferredBytes += event.encodedDataLength;
    });
    cdp.on("Network.responseReceived", (event) => {
      responses += 1;
      if (event.type === "Script") scripts += 1;
    });
    await page.goto(`${baseUrl}${path}`, { waitUntil: "load", timeout: 60_000 });
    await page.getByRole("heading", { name: "Log in to Assay" }).waitFor({ timeout: 60_000 });
    // LCP is final once the largest element has painted; give the last frames time to land.
    await page.waitForTimeout(1_000);
    const lcpMs = Number(await page.evaluate("window.__lcp"));
    return { lcpMs: Math.round(lcpMs), transferredBytes, responses, scripts };
  } finally {
    await context.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const runs: LoadMeasurement[] = [];
    for (let i = 0; i < Number(process.env.LCP_RUNS ?? 3); i++) runs.push(await measureLoginLcp(browser));
    const sorted = runs.map((r) => r.lcpMs).sort((a, b) => a - b);
    console.log(JSON.stringify({ baseUrl, runs, medianLcpMs: sorted[Math.floor(sorted.length / 2)] }));
  } finally {
    await browser.close();
  }
}
