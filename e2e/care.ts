/**
 * Care: a message screened as a possible crisis shows the support panel before the coach's reply
 * arrives (the Gemini stand-in is made slow), and a low WHO-5 result shows it with the scores.
 * The desktop context reads en-GB (UK contacts), the phone en-US (US contacts).
 * Screenshots: docs/screenshots/<viewport>-chat-support.png and <viewport>-results-support.png.
 */
import type { Browser, Page } from "playwright-core";
import { assert, screenshot, type Suite } from "./harness.ts";
import { clientOptions, newAccount, signUp, takeWho5, type Viewport } from "./journey.ts";
import { slowModel } from "./stack.ts";

const AI_TIMEOUT = 60_000;
const MODEL_DELAY_MS = 6_000;

const expected = {
  desktop: { locale: "en-GB", call: "Call 116 123 (Samaritans)" },
  phone: { locale: "en-US", call: "Call 988 (988 Suicide & Crisis Lifeline)" },
} as const;

async function flaggedMessage(page: Page, v: Viewport["name"]): Promise<void> {
  await page.getByRole("link", { name: "Coach" }).click();
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  const panel = page.getByTestId("support-panel");
  await panel.waitFor();
  assert((await panel.getAttribute("data-open")) === "false", "the support panel is open before anything was sent");

  const restore = await slowModel(MODEL_DELAY_MS);
  try {
    await page.getByLabel("Message the coach").fill("Honestly, I don't want to be alive anymore.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('[data-testid="support-panel"][data-open="true"]').waitFor();
    const call = panel.getByRole("link", { name: expected[v].call });
    await call.waitFor();
    assert((await call.getAttribute("href"))?.startsWith("tel:"), "the call link is not a tel: link");
    if (restore) assert(await page.getByTestId("pending-reply").isVisible(), "the reply arrived before the panel showed");
    await page.getByRole("heading", { name: "Support is available right now" }).waitFor();
    await screenshot(page, `${v}-chat-support`);
  } finally {
    if (restore) await restore();
  }
  await page.getByTestId("pending-reply").waitFor({ state: "detached", timeout: AI_TIMEOUT });

  // Collapsible, never gone: hide it, then bring it back.
  await panel.getByRole("button", { name: "Hide support contacts" }).click();
  await panel.getByRole("link", { name: expected[v].call }).waitFor({ state: "hidden" });
  await panel.getByRole("button", { name: "Show support contacts" }).click();
  await panel.getByRole("link", { name: expected[v].call }).waitFor();
  // The international contacts are always listed, whatever the region.
  await panel.getByRole("combobox", { name: "Contacts for" }).selectOption("international");
  await panel.getByRole("link", { name: /findahelpline\.com/ }).waitFor();
}

async function lowWellBeing(page: Page, v: Viewport["name"]): Promise<void> {
  await page.getByRole("link", { name: "Dashboard" }).click();
  await takeWho5(page, "Some of the time");
  // 5 x "Some of the time" (1) = 5, times 4: 20, at or below WHO-5's threshold of 28.
  await page.getByTestId("score-chart").getByText("20", { exact: true }).waitFor();
  const panel = page.locator('[data-testid="support-panel"][data-open="true"]');
  await panel.waitFor();
  await panel.getByRole("link", { name: expected[v].call }).waitFor();
  await page.getByTestId("analysis").waitFor({ timeout: AI_TIMEOUT });
  await screenshot(page, `${v}-results-support`);
}

export async function care(suite: Suite, browser: Browser, viewport: Viewport): Promise<void> {
  const v = viewport.name;
  const context = await browser.newContext({ ...clientOptions(viewport), locale: expected[v].locale });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  suite.watch(page);
  const ready = await suite.test(`${v}: sign up for the care checks`, page, () => signUp(page, newAccount(`${v}-care`)));
  if (ready) {
    await suite.test(`${v}: a message screened as a crisis shows the support panel before the reply arrives`, page, () => flaggedMessage(page, v));
    await suite.test(`${v}: a low WHO-5 result shows the support panel with the scores`, page, () => lowWellBeing(page, v));
  }
  await context.close();
}
