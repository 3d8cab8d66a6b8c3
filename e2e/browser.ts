/**
 * The Chromium the browser suite drives: Debian's build (`CHROMIUM_PATH`, default /usr/bin/chromium).
 * Playwright's own browser downloads are not used, so a missing Chromium is said plainly, before
 * any stack starts, instead of Playwright's "executable doesn't exist".
 */
import { accessSync, constants } from "node:fs";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Exits with what to install when there is no runnable Chromium at `chromiumPath`. */
export function requireChromium(): void {
  try {
    accessSync(chromiumPath, constants.X_OK);
  } catch {
    console.log(
      `✗ no Chromium at ${chromiumPath}: the browser suite drives Debian's Chromium. ` +
        "Install it with `sudo apt-get install -y chromium`, or set CHROMIUM_PATH to another Chromium or Chrome.",
    );
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}
