/**
 * The product's main journey in one browser context: sign up, take WHO-5 (resuming after a
 * reload), see the scores, wait for the analysis, talk to the coach, log out, log in and find
 * everything still there, take WHO-5 again to see the trend, and download the export. Each step is
 * a test; screenshots go to docs/screenshots/<viewport>-*.png.
 */
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { assert, screenshot, type Suite } from "./harness.ts";
import { baseUrl } from "./stack.ts";

export interface Viewport {
  name: "desktop" | "phone";
  options: BrowserContextOptions;
}

export const viewports: Viewport[] = [
  { name: "desktop", options: { viewport: { width: 1280, height: 800 } } },
  { name: "phone", options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } },
];

const AI_TIMEOUT = 60_000;

/**
 * A browser context as a distinct client: per-IP limits key on `CF-Connecting-IP`, which the edge
 * sets in production and a local client may send itself (API.md), so repeated runs from one
 * machine do not share the sign-up allowance.
 */
export function clientOptions(viewport: Viewport): BrowserContextOptions {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  return { ...viewport.options, extraHTTPHeaders: { "CF-Connecting-IP": `10.${octet()}.${octet()}.${octet()}` } };
}

export interface Account {
  name: string;
  email: string;
  password: string;
}

export function newAccount(tag: string): Account {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { name: `Ada ${tag}`, email: `e2e-${tag}-${id}@example.com`, password: `e2e ${id} long passphrase` };
}

export async function signUp(page: Page, account: Account, shot?: string): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByRole("heading", { name: "Create your account" }).waitFor();
  await page.getByLabel("Your name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByLabel("Confirm password").fill(account.password);
  // The Turnstile widget (the local stand-in, Cloudflare's always-pass test sitekey) yields its token.
  await page.getByTestId("turnstile").getByText("Success!").waitFor();
  if (shot) await screenshot(page, shot);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: `Hello, ${account.name}` }).waitFor();
}

export async function logIn(page: Page, account: Pick<Account, "email" | "password">): Promise<void> {
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Picks `label` in the n-th question (0-based) of the current section. */
async function answer(page: Page, n: number, label: string): Promise<void> {
  await page.locator("fieldset[data-question]").nth(n).getByLabel(label, { exact: true }).check();
}

/** From the dashboard: starts WHO-5, gives every item the answer `label`, submits, and waits for the results page. */
export async function takeWho5(page: Page, label: string): Promise<void> {
  await page.getByRole("button", { name: "Start WHO-5 Well-Being Index" }).click();
  await page.waitForURL(/\/assessments\/[0-9a-f-]+$/);
  for (let n = 0; n < 5; n++) await answer(page, n, label);
  await page.getByText("5 of 5 answered").waitFor();
  await page.getByRole("button", { name: "Submit answers" }).click();
  await page.waitForURL(/\/results\?job=/);
}

async function waitSaved(page: Page): Promise<void> {
  await page.getByTestId("save-status").getByText("All answers saved").waitFor();
}

export async function journey(suite: Suite, browser: Browser, viewport: Viewport): Promise<void> {
  const context = await browser.newContext({ ...clientOptions(viewport), acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  suite.watch(page);
  const v = viewport.name;
  const account = newAccount(v);
  let assessmentUrl = "";
  let analysis = "";
  let chatUrl = "";
  let reply = "";
  const question = "What is one small thing I could do this week to feel more rested?";

  const steps: [string, () => Promise<void>][] = [
    [
      "sign up",
      async () => {
        await signUp(page, account, `${v}-signup`);
        await screenshot(page, `${v}-dashboard-empty`);
      },
    ],
    [
      "start WHO-5 from the template list",
      async () => {
        await page.getByRole("button", { name: "Start WHO-5 Well-Being Index" }).click();
        await page.waitForURL(/\/assessments\/[0-9a-f-]+$/);
        assessmentUrl = page.url();
        await page.getByRole("heading", { name: "WHO-5 Well-Being Index", level: 1 }).waitFor();
        await page.getByText("0 of 5 answered").waitFor();
      },
    ],
    [
      "answers are autosaved and the assessment resumes after a reload",
      async () => {
        await answer(page, 0, "Most of the time");
        await answer(page, 1, "More than half of the time");
        await waitSaved(page);
        await page.reload();
        await page.getByText("2 of 5 answered").waitFor();
        assert(await page.locator("fieldset[data-question]").nth(0).getByLabel("Most of the time", { exact: true }).isChecked(), "answer 1 was not restored");
        assert(
          await page.locator("fieldset[data-question]").nth(1).getByLabel("More than half of the time", { exact: true }).isChecked(),
          "answer 2 was not restored",
        );
      },
    ],
    [
      "a required question left blank is flagged beside it",
      async () => {
        await page.getByRole("button", { name: "Submit answers" }).click();
        await page.getByText("Please answer this question").first().waitFor();
        assert((await page.getByText("Please answer this question").count()) === 3, "expected 3 unanswered questions to be flagged");
      },
    ],
    [
      "submit WHO-5 and see the scores at once",
      async () => {
        await answer(page, 2, "All of the time");
        await answer(page, 3, "Some of the time");
        await answer(page, 4, "Most of the time");
        await page.getByText("5 of 5 answered").waitFor();
        await screenshot(page, `${v}-assessment`);
        await page.getByRole("button", { name: "Submit answers" }).click();
        await page.waitForURL(/\/results\?job=/);
        await page.getByTestId("score-chart").waitFor();
        // 4 + 3 + 5 + 1 + 4 = 17, times 4.
        await page.getByTestId("score-chart").getByText("68", { exact: true }).waitFor();
        if (await page.getByTestId("analysis-progress").isVisible()) await screenshot(page, `${v}-results-analysing`);
      },
    ],
    [
      "the analysis appears when its job finishes",
      async () => {
        await page.getByTestId("analysis").waitFor({ timeout: AI_TIMEOUT });
        analysis = (await page.getByTestId("analysis").innerText()).trim();
        assert(analysis.length > 20, `analysis too short: ${analysis}`);
        await page.getByTestId("trend-first").getByText("This is your first WHO-5 Well-Being Index result").waitFor();
        await screenshot(page, `${v}-results`);
      },
    ],
    [
      "open a chat about the results and get a reply",
      async () => {
        await page.getByRole("button", { name: "Talk it through with the coach" }).click();
        await page.waitForURL(/\/chat\/[0-9a-f-]+$/);
        chatUrl = page.url();
        await page.getByLabel("Message the coach").fill(question);
        await page.getByRole("button", { name: "Send" }).click();
        await page.getByRole("log").getByText(question, { exact: true }).waitFor();
        const pending = page.getByTestId("pending-reply");
        if (await pending.isVisible()) await screenshot(page, `${v}-chat-pending`);
        await pending.waitFor({ state: "detached", timeout: AI_TIMEOUT });
        const bubbles = page.getByRole("log").locator("li").filter({ hasText: "Coach said:" });
        await bubbles.first().waitFor();
        reply = (await bubbles.last().innerText()).replace("Coach said:", "").trim();
        assert(reply.length > 0, "the reply is empty");
        await screenshot(page, `${v}-chat`);
      },
    ],
    [
      "settings show the account",
      async () => {
        await page.getByRole("link", { name: "Settings" }).click();
        await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
        assert((await page.getByLabel("Name").inputValue()) === account.name, "settings show another name");
        await screenshot(page, `${v}-settings`);
      },
    ],
    [
      "log out",
      async () => {
        await page.getByRole("button", { name: "Log out" }).click();
        await page.getByRole("heading", { name: "Log in to Assay" }).waitFor();
        await page.getByText("You have logged out.").waitFor();
        await page.goto(`${baseUrl}/`);
        await page.getByRole("heading", { name: "Log in to Assay" }).waitFor();
        await screenshot(page, `${v}-login`);
      },
    ],
    [
      "log in and find everything still there",
      async () => {
        await logIn(page, account);
        await page.getByRole("heading", { name: `Hello, ${account.name}` }).waitFor();
        await page.getByRole("link", { name: "View results of WHO-5 Well-Being Index" }).waitFor();
        await screenshot(page, `${v}-dashboard`);
        await page.getByRole("link", { name: "View results of WHO-5 Well-Being Index" }).click();
        await page.waitForURL(`${assessmentUrl}/results`);
        await page.getByTestId("score-chart").getByText("68", { exact: true }).waitFor();
        const again = (await page.getByTestId("analysis").innerText()).trim();
        assert(again === analysis, "the analysis changed after logging in again");
        await page.getByRole("link", { name: "Continue the conversation with the coach" }).click();
        await page.waitForURL(chatUrl);
        await page.getByRole("log").getByText(question, { exact: true }).waitFor();
        const bubbles = page.getByRole("log").locator("li").filter({ hasText: "Coach said:" });
        assert((await bubbles.last().innerText()).replace("Coach said:", "").trim() === reply, "the reply is not the same after logging in again");
      },
    ],
    [
      "take WHO-5 again and see the trend and the change since the first result",
      async () => {
        await page.goto(`${baseUrl}/`);
        await takeWho5(page, "All of the time");
        await page.getByTestId("score-chart").locator("strong").getByText("100", { exact: true }).waitFor();
        // 68 the first time, 100 now.
        const change = page.getByTestId("trend-chart").getByTestId("trend-change");
        await change.getByText(/^\+32 since /).waitFor();
        const table = page.getByTestId("trend-chart").locator("table");
        assert((await table.locator("tbody tr").count()) === 2, "the trend's table should hold both results");
        assert((await table.locator("tbody tr").nth(0).locator("td").nth(0).innerText()) === "68", "the first result's score is not 68");
        const overflow = await page.locator("html").evaluate((el) => el.scrollWidth - el.clientWidth);
        assert(overflow <= 0, `the page is ${overflow}px wider than the screen`);
        await page.getByTestId("analysis").waitFor({ timeout: AI_TIMEOUT });
        await screenshot(page, `${v}-results-trend`);
      },
    ],
    [
      "the dashboard shows the latest score with a small trend",
      async () => {
        await page.goto(`${baseUrl}/`);
        const card = page.getByTestId("progress-card");
        await card.getByText("2 results").waitFor();
        await card.getByTestId("trend-summary").locator("strong").getByText("100", { exact: true }).waitFor();
        await card.getByText(/\+32 since /).waitFor();
        await screenshot(page, `${v}-dashboard-progress`);
      },
    ],
    [
      "download the export from Settings",
      async () => {
        await page.getByRole("link", { name: "Settings" }).click();
        await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download my data" }).click()]);
        assert(/^assay-export-\d{4}-\d{2}-\d{2}\.json$/.test(download.suggestedFilename()), `unexpected file name ${download.suggestedFilename()}`);
        const path = await download.path();
        const exported = JSON.parse(await readFile(path, "utf8")) as {
          user: { email: string };
          assessments: { status: string; scores: { wellbeing?: number } | null }[];
          conversations: { messages: { content: string }[] }[];
          jobs: unknown[];
        };
        assert(exported.user.email === account.email, "the export is of another account");
        const scores = exported.assessments.map((a) => a.scores?.wellbeing).sort();
        assert(JSON.stringify(scores) === JSON.stringify([100, 68]), `unexpected scores in the export: ${JSON.stringify(scores)}`);
        assert(exported.conversations.length === 1, "the export should hold the one conversation");
        assert(exported.conversations[0]?.messages.some((m) => m.content === question), "the export lacks the question asked");
        assert(exported.jobs.length === 3, `expected 3 jobs (2 analyses, 1 reply), got ${exported.jobs.length}`);
        await page.getByText("Your data was downloaded.").waitFor();
        await screenshot(page, `${v}-settings-export`);
      },
    ],
  ];

  let broken: string | null = null;
  for (const [name, body] of steps) {
    const full = `${v}: ${name}`;
    if (broken) suite.skip(full, `"${broken}" failed`);
    else if (!(await suite.test(full, page, body))) broken = name;
  }
  await context.close();
}
