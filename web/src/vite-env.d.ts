/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The Turnstile widget script (Cloudflare's in production, the local stand-in in dev and e2e). */
  readonly VITE_TURNSTILE_SCRIPT_URL?: string;
  /** The Turnstile sitekey of the sign-up widget. */
  readonly VITE_TURNSTILE_SITE_KEY?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
