// @vitest-environment happy-dom
import { QueryClientProvider } from "@tanstack/react-query";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../app/queryClient.ts";
import { LoginPage } from "./LoginPage.tsx";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

let root: Root;
let container: HTMLElement;

async function render(): Promise<void> {
  container = document.createElement("div");
  document.body.append(container);
  root = createRoot(container);
  await act(async () => root.render(<QueryClientProvider client={createQueryClient()}><LoginPage /></QueryClientProvider>));
}

/** Types into an input the way a person does, so React and React Hook Form see it. */
function type(label: string, value: string): void {
  const input = [...container.querySelectorAll("label")].find((l) => l.textContent === label)?.control as HTMLInputElement;
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set?.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

async function submit(): Promise<void> {
  await act(async () => {
    container.querySelector("form")?.requestSubmit();
  });
  await act(() => new Promise((r) => setTimeout(r, 20)));
}

const fieldError = (label: string) => {
  const input = [...container.querySelectorAll("label")].find((l) => l.textContent === label)?.control;
  const id = input?.getAttribute("aria-describedby");
  return id ? document.getElementById(id)?.textContent?.replace("⚠ ", "") : undefined;
};

describe("LoginPage", () => {
  beforeEach(() => vi.stubGlobal("fetch", vi.fn()));
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.unstubAllGlobals();
  });

  it("shows each client-side problem beside its field, without calling the API", async () => {
    await render();
    type("Email", "not an email");
    await submit();
    expect(fieldError("Email")).toBe("Enter a valid email address, like name@example.com");
    expect(fieldError("Password")).toBe("Enter your password");
    expect(fetch).not.toHaveBeenCalled();
  });

  it("says a wrong password plainly", async () => {
    vi.mocked(fetch).mockResolvedValue(json(401, { error: { code: "unauthorized", message: "Wrong email or password", requestId: "r" } }));
    await render();
    type("Email", "ada@example.com");
    type("Password", "wrong password");
    await submit();
    expect(container.querySelector('[role="alert"]')?.textContent).toContain("The email or password is incorrect.");
  });

  it("puts the API's validation messages beside the field they name", async () => {
    vi.mocked(fetch).mockResolvedValue(
      json(400, { error: { code: "validation_failed", message: "invalid", requestId: "r", details: [{ path: "email", message: "Unknown domain" }] } }),
    );
    await render();
    type("Email", "ada@example.com");
    type("Password", "whatever");
    await submit();
    expect(fieldError("Email")).toBe("Unknown domain");
    expect(container.querySelector('[role="alert"]')).toBeNull();
  });

  it("shows a 429's wait and keeps the button disabled", async () => {
    vi.mocked(fetch).mockResolvedValue(
      json(429, { error: { code: "rate_limited", message: "Too many requests", requestId: "r" } }, { "Retry-After": "42" }),
    );
    await render();
    type("Email", "ada@example.com");
    type("Password", "whatever");
    await submit();
    expect(container.querySelector('[role="alert"]')?.textContent).toMatch(/Please wait 4[12] seconds before trying again\./);
    expect(container.querySelector<HTMLButtonElement>('button[type="submit"]')?.disabled).toBe(true);
  });
});
