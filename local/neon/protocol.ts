/**
 * The Neon stand-in's side of Neon's HTTP query protocol: the Worker's module
 * (worker/platform/hyperdrive/neon-protocol.ts, which its Hyperdrive transport serves) plus what
 * only the stand-in needs: `SET TRANSACTION` (the connection strings it hands out are in credentials.ts).
 */
import { transactionModes, type TransactionOptions } from "../../worker/platform/hyperdrive/neon-protocol.ts";

export * from "../../worker/platform/hyperdrive/neon-protocol.ts";

/** A batch's characteristics as `SET TRANSACTION`, for a transaction already begun; null when none. */
export function setTransactionStatement(options: TransactionOptions): string | null {
  const modes = transactionModes(options);
  return modes.length > 0 ? `SET TRANSACTION ${modes.join(" ")}` : null;
}
