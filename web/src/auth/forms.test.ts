import { describe, expect, it } from "vitest";
import { messageSchema } from "../chat/forms.ts";
import { loginSchema, passwordSchema, safeNext, signupSchema } from "./forms.ts";

function messages(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));
}

describe("signup form", () => {
  const valid = {
    displayName: "Ada",
    email: " Ada@Example.com ",
    password: "a long enough one",
    confirmPassword: "a long enough one",
    turnstileToken: "XXXX.DUMMY.TOKEN.XXXX",
  };

  it("accepts a good signup and trims the email", () => {
    const result = signupSchema.safeParse(valid);
    expect(result.success).toBe(true);
    expect(result.data?.email).toBe("Ada@Example.com");
  });

  it("explains each problem beside its field", () => {
    const result = signupSchema.safeParse({ displayName: "  ", email: "not-an-email", password: "short", confirmPassword: "short", turnstileToken: "" });
    expect(messages(result)).toEqual({
      displayName: "Enter your name",
      email: "Enter a valid email address, like name@example.com",
      password: "Use at least 8 characters",
      turnstileToken: "Wait for the bot check to finish, or try it again",
    });
  });

  it("refuses mismatched passwords on the confirmation field", () => {
    expect(messages(signupSchema.safeParse({ ...valid, confirmPassword: "something else" }))).toEqual({ confirmPassword: "The passwords don't match" });
  });

  it("keeps the API's limits: 8..128 characters, names up to 80", () => {
    expect(messages(signupSchema.safeParse({ ...valid, password: "x".repeat(129), confirmPassword: "x".repeat(129) }))).toEqual({
      password: "Use at most 128 characters",
    });
    expect(messages(signupSchema.safeParse({ ...valid, displayName: "n".repeat(81) }))).toEqual({ displayName: "Use at most 80 characters" });
  });
});

describe("login form", () => {
  it("needs both fields", () => {
    expect(messages(loginSchema.safeParse({ email: "", password: "" }))).toEqual({ email: "Enter your email address", password: "Enter your password" });
  });
});

describe("password change form", () => {
  it("refuses a new password equal to the current one", () => {
    const result = passwordSchema.safeParse({ currentPassword: "same password", newPassword: "same password", confirmPassword: "same password" });
    expect(messages(result)).toEqual({ newPassword: "Choose a password different from the current one" });
  });
});

describe("chat composer", () => {
  it("refuses blank and over-long messages", () => {
    expect(messages(messageSchema.safeParse({ content: "   " }))).toEqual({ content: "Write a message first" });
    expect(messages(messageSchema.safeParse({ content: "x".repeat(4001) }))).toEqual({ content: "Messages can be up to 4,000 characters" });
  });
});

describe("safeNext", () => {
  it("only returns to paths on this site", () => {
    expect(safeNext("/chat/1?x=2")).toBe("/chat/1?x=2");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});
