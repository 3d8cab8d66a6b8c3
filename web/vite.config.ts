import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv } from "vite";

const root = decodeURIComponent(new URL(".", import.meta.url).pathname);
/** The Turnstile stand-in of the dev stack (local/stack.ts DEV_PORTS). */
const TURNSTILE_STAND_IN = "http://127.0.0.1:4448";

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
      rolldownOptions: {
        output: {
          // Each route is its own chunk (web/src/app/router.tsx); libraries go to vendor chunks named
          // by what they are, so a deploy that changes only our code keeps the browser's copies. React
          // and the query cache are on every screen; forms and dialogs load with the screens using them.
          codeSplitting: {
            groups: [
              { name: "vendor-react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 30 },
              { name: "vendor-query", test: /node_modules[\\/]@tanstack[\\/]/, priority: 20 },
              { name: "vendor-forms", test: /node_modules[\\/](react-hook-form|@hookform|zod)[\\/]/, priority: 20 },
              { name: "vendor-radix", test: /node_modules[\\/](radix-ui|@radix-ui)[\\/]/, priority: 20 },
            ],
          },
        },
      },
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
