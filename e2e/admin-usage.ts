/**
 * The admin's Usage screen after a journey (an analysis and a chat reply): today's calls counted,
 * the chart, the per-day table and the top accounts, on a desktop and a phone.
 */
import type { Browser } from "playwright-core";
import { assert, screenshot, type Suite } from "./harness.ts";
import { clientOptions, logIn, type Viewport } from "./journey.ts";
import { admin, baseUrl } from "./stack.ts";

/** `before`: today's model calls before the journey ran (at least two calls were made since). */
export async function adminUsage(suite: Suite, browser: Browser, viewport: Viewport, before: number | null): Promise<void> {
  if (!admin || before === null) return;
  const known = admin;
  const context = await browser.newContext(clientOptions(viewport));
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  suite.watch(page);
  const v = viewport.name;
  await suite.test(`${v}: the admin opens Usage and sees today's analyses and chats counted`, page, async () => {
    await page.goto(`${baseUrl}/login`);
    await logIn(page, known);
    await page.getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    const today = page.locator("div", { has: page.locator("dt", { hasText: "Calls today" }) }).locator("dd").first();
    await today.waitFor();
    const calls = Number(await today.innerText());
    assert(calls >= before + 2, `Usage shows ${calls} calls today; the journey alone made 2 more than the ${before} before it`);
    await page.getByRole("heading", { name: "Calls against the budget" }).waitFor();
    const rows = page.getByRole("table", { name: /per UTC day/ }).locator("tbody tr");
    assert((await rows.count()) === 7, "the table does not show 7 days");
    assert((await page.getByRole("table", { name: /most model calls/ }).locator("tbody tr").count()) > 0, "no top accounts listed");
    await screenshot(page, `${v}-admin-usage`);
    await page.getByText("31 days").click();
    await page.getByRole("table", { name: /per UTC day/ }).locator("tbody tr").nth(30).waitFor();
  });
  await context.close();
}
