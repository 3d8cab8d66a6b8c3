/**
 * The auth and account forms' rules, the same as the API's (API.md, "Auth and accounts").
 * zod/mini: the same schemas as zod's chained API at a fraction of the bundle.
 */
import * as z from "zod/mini";

const email = z.pipe(
  z.string().check(z.trim(), z.minLength(1, "Enter your email address")),
  z.email("Enter a valid email address, like name@example.com"),
);

export const newPassword = z.string().check(z.minLength(8, "Use at least 8 characters"), z.maxLength(128, "Use at most 128 characters"));

export const displayName = z.string().check(z.trim(), z.minLength(1, "Enter your name"), z.maxLength(80, "Use at most 80 characters"));

export const loginSchema = z.object({
  email,
  password: z.string().check(z.minLength(1, "Enter your password")),
});
export type LoginValues = z.infer<typeof loginSchema>;

export const signupSchema = z
  .object({
    displayName,
    email,
    password: newPassword,
    confirmPassword: z.string(),
    /** The Turnstile widget's token; "" until the bot check passes. */
    turnstileToken: z.string().check(z.minLength(1, "Wait for the bot check to finish, or try it again")),
  })
  .check(z.refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords don't match" }));
export type SignupValues = z.infer<typeof signupSchema>;

export const profileSchema = z.object({ displayName });
export type ProfileValues = z.infer<typeof profileSchema>;

export const passwordSchema = z
  .object({
    currentPassword: z.string().check(z.minLength(1, "Enter your current password")),
    newPassword,
    confirmPassword: z.string(),
  })
  .check(
    z.refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords don't match" }),
    z.refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "Choose a password different from the current one" }),
  );
export type PasswordValues = z.infer<typeof passwordSchema>;

export const deleteAccountSchema = z.object({ password: z.string().check(z.minLength(1, "Enter your password to confirm")) });
export type DeleteAccountValues = z.infer<typeof deleteAccountSchema>;

/** A safe place to go after signing in: a path on this site, never another origin. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
