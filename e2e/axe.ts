/**
 * Accessibility: axe-core (the engine behind Lighthouse's and the browser extensions' audits) run
 * on a screen as the user sees it. Injected with `evaluate`, which the page's Content-Security-
 * Policy does not govern, so the suite tests the real headers. Serious and critical violations fail.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** The serious and critical violations on `page` now, one line each (rule, impact, first targets). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Strings, not functions: this file is compiled for Node, without the DOM's types.
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(axeSource);
  const violations = await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)");
  return (violations as AxeViolation[])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(", ")}`);
}
