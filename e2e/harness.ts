/**
 * A small test runner for the browser suite: named steps run in order, each timed and reported
 * on its own line; a failure saves a screenshot of the page it failed on. The closing line is
 * `N passed, N failed`.
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { axeViolations } from "./axe.ts";

export const screenshotDir = new URL("../docs/screenshots/", import.meta.url);
const failureDir = new URL("../.data/e2e-failures/", import.meta.url);

export interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export class Suite {
  readonly results: Result[] = [];
  /** CSP violations and uncaught errors any watched page reported. */
  readonly browserProblems: string[] = [];
  /** Serious or critical axe violations, per screen (checked by one test at the end). */
  readonly accessibilityProblems = accessibilityProblems;

  /** Collects what the browser complains about on `page` (checked by one test at the end). */
  watch(page: Page): void {
    page.on("pageerror", (err) => this.browserProblems.push(`uncaught: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) {
        this.browserProblems.push(`console: ${message.text()}`);
      }
    });
  }

  /** Runs one test; a failure is recorded (with a screenshot of `page`), never thrown. */
  async test(name: string, page: Page | null, body: () => Promise<void>): Promise<boolean> {
    const started = performance.now();
    try {
      await body();
      this.record({ name, ok: true, ms: performance.now() - started });
      return true;
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (page && !page.isClosed()) {
        mkdirSync(failureDir, { recursive: true });
        const file = new URL(`${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.png`, failureDir);
        await page.screenshot({ path: file.pathname, fullPage: true }).catch(() => undefined);
      }
      this.record({ name, ok: false, ms: performance.now() - started, error });
      return false;
    }
  }

  /** Records a test that could not run because an earlier step it needs failed. */
  skip(name: string, reason: string): void {
    this.record({ name, ok: false, ms: 0, error: `not run: ${reason}` });
  }

  private record(result: Result): void {
    this.results.push(result);
    const seconds = (result.ms / 1000).toFixed(1);
    console.log(`${result.ok ? "✓" : "✗"} ${result.name} (${seconds} s)`);
    if (result.error) console.log(`    ${result.error.split("\n").slice(0, 8).join("\n    ")}`);
  }

  get passed(): number {
    return this.results.filter((r) => r.ok).length;
  }

  get failed(): number {
    return this.results.length - this.passed;
  }
}

const accessibilityProblems: string[] = [];

/**
 * Saves docs/screenshots/<name>.png (full page). Every screen the suite saves is also audited with
 * axe (./axe.ts); its serious and critical violations are reported by the suite's last test.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  for (const violation of await axeViolations(page)) accessibilityProblems.push(`${name}: ${violation}`);
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, screenshotDir).pathname, fullPage: true, animations: "disabled", caret: "hide" });
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
