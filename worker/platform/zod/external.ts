/**
 * zod v4's public surface without `locales`. The bundle aliases "zod" to ./index.ts (wrangler.toml
 * [alias]) because `export * as locales` keeps every language's messages alive (~260 KiB minified)
 * whenever the `z` namespace is used as a value, which @hono/zod-openapi does. English stays the
 * default: zod registers it from its schema constructors, not from this namespace. Also left out,
 * as nothing here uses them: `compile`/`withParser` (the schema compiler), `fromJSONSchema`,
 * `deepPartial`. vitest.config.ts applies the same alias, so the tests run on this surface too.
 */
// @ts-nocheck -- a mirror of zod/v4/classic/external.js; types come from the real package.
export * as core from "./core.ts";
export * from "../../../node_modules/zod/v4/classic/schemas.js";
export * from "../../../node_modules/zod/v4/classic/checks.js";
export * from "../../../node_modules/zod/v4/classic/errors.js";
export * from "../../../node_modules/zod/v4/classic/parse.js";
export * from "../../../node_modules/zod/v4/classic/compat.js";
export { globalRegistry, registry, config, memoizer, $output, $input, $brand, clone, regexes, treeifyError, prettifyError, formatError, flattenError, TimePrecision, util, NEVER, INVALID, toZod, getDiscriminatedOption } from "./core.ts";
export { toJSONSchema } from "../../../node_modules/zod/v4/core/json-schema-processors.js";
export { input, output } from "../../../node_modules/zod/v4/classic/in-out.js";
export { ZodISODateTime, ZodISODate, ZodISOTime, ZodISODuration } from "../../../node_modules/zod/v4/classic/iso.js";
export * as iso from "../../../node_modules/zod/v4/classic/iso.js";
export * as coerce from "../../../node_modules/zod/v4/classic/coerce.js";
