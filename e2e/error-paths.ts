/**
 * The error states a person can meet: a wrong password, the AI quota spent (banner with its reset
 * time, then recovery), going offline mid-assessment, a page that does not exist; and the admin's
 * templates page. Screenshots go to docs/screenshots/<viewport>-*.png.
 */
import type { Browser, Page } from "playwright-core";
import { assert, screenshot, type Suite } from "./harness.ts";
import { type Account, clientOptions, logIn, newAccount, signUp, takeWho5, type Viewport } from "./journey.ts";
import { admin, baseUrl, failModel, someoneElsesAssessment, spendAiBudget } from "./stack.ts";

const AI_TIMEOUT = 60_000;

async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Log in to Assay" }).waitFor();
}

async function wrongPassword(page: Page, account: Account, v: string): Promise<void> {
  await logOut(page);
  await logIn(page, { email: account.email, password: `${account.password} typo` });
  await page.getByRole("alert").filter({ hasText: "Those details didn't work" }).waitFor();
  assert(page.url().includes("/login"), "a wrong password left the login page");
  await screenshot(page, `${v}-login-wrong-password`);
  await logIn(page, account);
  await page.getByRole("heading", { name: `Hello, ${account.name}` }).waitFor();
}

async function quotaBanner(page: Page, v: string): Promise<void> {
  await page.getByRole("link", { name: "Coach" }).click();
  await page.getByRole("button", { name: "New conversation" }).click();
  await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
  const restore = await spendAiBudget();
  if (!restore) {
    // A remote stack: the budget cannot be spent from here, so the API's answer is simulated.
    await page.route("**/api/v1/conversations/*/messages", (route) =>
      route.request().method() === "POST"
        ? route.fulfill({
            status: 429,
            headers: { "Content-Type": "application/json", "Retry-After": "3600" },
            body: JSON.stringify({ error: { code: "ai_quota_exhausted", message: "The daily AI quota is spent", requestId: "e2e" } }),
          })
        : route.fallback(),
    );
  }
  try {
    await page.getByLabel("Message the coach").fill("Are you there?");
    await page.getByRole("button", { name: "Send" }).click();
    const banner = page.getByTestId("quota-banner");
    await banner.waitFor();
    const text = await banner.innerText();
    assert(/resume at .+\(in .+\)/.test(text), `the banner gives no reset time: ${text}`);
    await page.getByText("Not sent.").waitFor();
    await screenshot(page, `${v}-quota-banner`);
  } finally {
    if (restore) await restore();
    else await page.unroute("**/api/v1/conversations/*/messages");
  }
  // Once the quota is back, the same message goes through.
  await page.getByRole("button", { name: "Retry" }).click();
  await page.getByTestId("pending-reply").waitFor({ state: "detached", timeout: AI_TIMEOUT });
  await page.getByRole("log").locator("li").filter({ hasText: "Coach said:" }).first().waitFor();
  await page.getByTestId("quota-banner").waitFor({ state: "detached" });
}

/** A failed analysis offers "Try again", which runs it again to the end. */
async function analysisTryAgain(page: Page, v: string): Promise<void> {
  const restore = await failModel();
  assert(restore, "the Gemini stand-in is not reachable from here (set E2E_GEMINI_URL and E2E_GEMINI_KEY)");
  try {
    await page.goto(`${baseUrl}/`);
    await takeWho5(page, "Some of the time");
    await page.getByRole("button", { name: "Try again" }).waitFor({ timeout: AI_TIMEOUT });
    await screenshot(page, `${v}-results-try-again`);
  } finally {
    await restore();
  }
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByTestId("analysis").waitFor({ timeout: AI_TIMEOUT });
  assert((await page.getByRole("button", { name: "Try again" }).count()) === 0, "Try again is still offered after the analysis");
}

async function offlineAutosave(page: Page, v: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole("button", { name: "Start Mini-IPIP Big Five" }).click();
  await page.waitForURL(/\/assessments\/[0-9a-f-]+$/);
  await page.getByText("Section 1 of 4").waitFor();
  await page.context().setOffline(true);
  await page.locator("fieldset[data-question]").nth(0).getByLabel("Moderately accurate", { exact: true }).check();
  await page.getByText("You're offline.").waitFor();
  await page.getByTestId("save-status").getByText("Offline: your answers are kept here").waitFor();
  await screenshot(page, `${v}-offline`);
  await page.context().setOffline(false);
  await page.getByTestId("save-status").getByText("All answers saved").waitFor({ timeout: 15_000 });
  await page.reload();
  await page.getByText("1 of 20 answered").waitFor();
}

/** Focus moves with Tab until `target` has it (at most `max` presses). */
async function tabTo(page: Page, target: ReturnType<Page["getByRole"]>, max = 15): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

async function keyboardOnly(page: Page, account: Account, v: string): Promise<void> {
  await logOut(page);
  await page.goto(`${baseUrl}/login`);
  await page.keyboard.press("Tab");
  await page.getByRole("link", { name: "Skip to content" }).waitFor();
  await tabTo(page, page.getByRole("textbox", { name: "Email" }));
  await page.keyboard.type(account.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(account.password);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: `Hello, ${account.name}` }).waitFor();

  // A radio group: Tab reaches it, arrow keys choose.
  await tabTo(page, page.getByRole("button", { name: "Start WHO-5 Well-Being Index" }), 30);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/assessments\/[0-9a-f-]+$/);
  const first = page.locator("fieldset[data-question]").nth(0);
  await tabTo(page, first.getByRole("radio").first(), 30);
  await page.keyboard.press("Space");
  await page.keyboard.press("ArrowDown");
  assert(await first.getByLabel("Most of the time", { exact: true }).isChecked(), "ArrowDown did not choose the next answer");
  await page.getByText("1 of 5 answered").waitFor();

  // The delete-account dialog traps focus, Escape closes it, focus returns to its button.
  await page.goto(`${baseUrl}/settings`);
  const trigger = page.getByRole("button", { name: "Delete my account…" });
  await tabTo(page, trigger, 40);
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("alertdialog", { name: "Delete your account?" });
  await dialog.waitFor();
  assert(await dialog.evaluate((el) => el.contains(el.ownerDocument.activeElement)), "focus is not inside the dialog");
  await screenshot(page, `${v}-settings-delete-dialog`);
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert(await trigger.evaluate((el) => el === el.ownerDocument.activeElement), "focus did not return to the button");
}

/** Login attempts from one client until the per-IP limit refuses; the form shows the wait. */
async function rateLimited(browser: Browser, viewport: Viewport): Promise<void> {
  const context = await browser.newContext(clientOptions(viewport));
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  try {
    await page.goto(`${baseUrl}/login`);
    const refused = page.getByRole("alert").filter({ hasText: "Too many requests" });
    for (let attempt = 0; attempt < 15 && !(await refused.isVisible()); attempt++) {
      await logIn(page, { email: `nobody-${attempt}@example.com`, password: "not the password" });
      await page.getByRole("alert").waitFor();
      await page.getByRole("button", { name: "Log in" }).and(page.locator(":not([aria-busy])")).waitFor();
    }
    const text = await refused.innerText();
    assert(/wait \d+ (second|minute)s?/.test(text), `no wait time in: ${text}`);
    assert(await page.getByRole("button", { name: "Log in" }).isDisabled(), "the button stays enabled while refused");
    await screenshot(page, `${viewport.name}-rate-limited`);
  } finally {
    await context.close();
  }
}

async function notFound(page: Page, v: string): Promise<void> {
  // A real assessment of a real second account: the API answers it exactly as it answers a made-up id.
  const theirs = await someoneElsesAssessment();
  await page.goto(`${baseUrl}/assessments/${theirs}/results`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await screenshot(page, `${v}-not-found`);
  await page.goto(`${baseUrl}/assessments/${theirs}`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await page.goto(`${baseUrl}/assessments/01900000-0000-7000-8000-00000000dead/results`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await page.goto(`${baseUrl}/no/such/page`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
}

async function adminTemplates(page: Page, v: string): Promise<void> {
  assert(admin, "no admin account known (set E2E_ADMIN_EMAIL and E2E_ADMIN_PASSWORD)");
  await logOut(page);
  await logIn(page, admin);
  await page.getByRole("link", { name: "Templates" }).click();
  await page.getByRole("heading", { name: "Templates", level: 1 }).waitFor();
  await page.getByRole("button", { name: "New version of WHO-5 Well-Being Index" }).click();
  await page.getByLabel("Template JSON").waitFor();
  const json = await page.getByLabel("Template JSON").inputValue();
  assert(json.includes('"questions"'), "the editor did not load the template");
  await page.getByLabel("Template JSON").fill(`${json.slice(0, -2)}`);
  await page.getByRole("button", { name: "Publish new version" }).click();
  await page.getByText("Not valid JSON at line").waitFor();
  await screenshot(page, `${v}-admin-templates`);
  await page.getByLabel("Template JSON").fill(json);
  assert((await page.getByText("Not valid JSON at line").count()) === 0, "the syntax error outlived the fix");
  await page.getByRole("button", { name: "Cancel" }).click();
}

export async function errorPaths(suite: Suite, browser: Browser, viewport: Viewport): Promise<void> {
  const context = await browser.newContext(clientOptions(viewport));
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  suite.watch(page);
  const v = viewport.name;
  const account = newAccount(`${v}-errors`);
  if (!(await suite.test(`${v}: sign up a second account`, page, () => signUp(page, account)))) {
    await context.close();
    return;
  }
  await suite.test(`${v}: a wrong password is refused, the right one accepted`, page, () => wrongPassword(page, account, v));
  await suite.test(`${v}: the AI quota banner shows its reset time, and sending works again after`, page, () => quotaBanner(page, v));
  await suite.test(`${v}: a failed analysis offers Try again, which completes it`, page, () => analysisTryAgain(page, v));
  await suite.test(`${v}: answers given offline are saved on reconnecting`, page, () => offlineAutosave(page, v));
  await suite.test(`${v}: keyboard only: log in, answer, open and close a dialog`, page, () => keyboardOnly(page, account, v));
  await suite.test(`${v}: a missing page or another person's assessment is a designed 404`, page, () => notFound(page, v));
  await suite.test(`${v}: too many attempts show how long to wait`, null, () => rateLimited(browser, viewport));
  // Without an admin login this fails (adminTemplates says which variables to set), never skips.
  await suite.test(`${v}: an admin edits templates in the JSON editor`, page, () => adminTemplates(page, v));
  await context.close();
}
