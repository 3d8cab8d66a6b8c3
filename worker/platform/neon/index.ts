/**
 * What the Worker bundle gets for "@neondatabase/serverless" (wrangler.toml [alias], and the worker
 * test projects in vitest.config.ts): the HTTP query path only. Node scripts under local/ keep the real package.
 */
export { NeonDbError, NeonQueryPromise, neon, neonConfig, types } from "./http-client.ts";
export type {
  FieldDef,
  FullQueryResults,
  HTTPQueryOptions,
  HTTPTransactionOptions,
  IsolationLevel,
  NeonQueryFunction,
  ParameterizedQuery,
} from "./http-client.ts";
