/** Types the Workers runtime derives from this project: `exports` from "cloudflare:workers" (tests). */
import type * as main from "./index.ts";

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof main;
    }
  }
}
