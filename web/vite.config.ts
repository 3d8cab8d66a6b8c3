import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv } from "vite";

const root = decodeURIComponent(new URL(".", import.meta.url).pathname);
/** The Turnstile stand-in of the dev stack (local/stack.ts DEV_PORTS). */
const TURNSTILE_STAND_IN = "http://127.0.0.1:4447";

/**
 * The SPA: `npm run build:web` writes web/dist for Pages; in dev, /api goes to `wrangler dev` and
 * /turnstile to the Turnstile stand-in. Build modes: production (Cloudflare's widget, the sitekey
 * from VITE_TURNSTILE_SITE_KEY) and e2e (the stand-in's widget, the always-pass test sitekey).
 */
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, root, "VITE_");
  if (mode === "production" && !env.VITE_TURNSTILE_SITE_KEY) {
    console.warn("[build] VITE_TURNSTILE_SITE_KEY is not set: the sign-up page cannot pass the bot check (see README, Deploy)");
  }
  return {
    root,
    plugins: [react(), tailwindcss()],
    build: {
      outDir: "dist",
      emptyOutDir: true,
      sourcemap: false,
    },
    server: {
      host: "127.0.0.1",
      port: 5173,
      strictPort: true,
      proxy: {
        "/api": { target: "http://127.0.0.1:8787", changeOrigin: false },
        "/turnstile": { target: TURNSTILE_STAND_IN, changeOrigin: true },
      },
    },
    preview: { host: "127.0.0.1", port: 4173 },
  };
});
