/**
 * A wrangler config with a local Hyperdrive binding: what `npm run dev` and the bench run the
 * Worker with when DB_DRIVER=hyperdrive. wrangler.toml cannot carry the binding itself — a
 * `[[hyperdrive]]` needs the id of a real Hyperdrive config — so it is appended to a copy (TOML
 * table headers are absolute: appended last, it is still top level).
 */
export function withLocalHyperdrive(toml: string, postgresUrl: string): string {
  return `${toml}
# Added for a local run with DB_DRIVER=hyperdrive.
[[hyperdrive]]
binding = "HYPERDRIVE"
id = "local"
localConnectionString = "${postgresUrl}"
`;
}
