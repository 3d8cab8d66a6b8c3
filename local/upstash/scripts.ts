/**
 * Upstash accepts the shebang flag `#!lua flags=allow-key-locking` (used by every
 * @upstash/ratelimit script); stock Redis refuses it ("Unexpected flag in script shebang"). Scripts
 * are rewritten without the flag, and the SHA clients know (of the original text) is mapped to the
 * rewritten script, so `EVALSHA <original sha>` works after the first `EVAL` or `SCRIPT LOAD`.
 */
import { createHash } from "node:crypto";
import type { RedisReply } from "./backend.ts";

const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

interface Rewritten {
  script: string;
  sha: string;
}

export interface RewrittenCommand {
  args: string[];
  /** Replaces the backend's reply (SCRIPT LOAD must answer the original SHA). */
  reply?: RedisReply;
}

export class ScriptRewriter {
  readonly #byOriginalSha = new Map<string, Rewritten>();

  rewrite(args: string[]): RewrittenCommand {
    const name = args[0]?.toUpperCase();
    const first = args[1];
    if (first === undefined) return { args };
    if (name === "EVAL" || name === "EVAL_RO") {
      const rewritten = this.#learn(first);
      return { args: rewritten ? [args[0] ?? name, rewritten.script, ...args.slice(2)] : args };
    }
    if (name === "EVALSHA" || name === "EVALSHA_RO") {
      // EVAL with the text rather than EVALSHA with the new SHA: right even if Redis lost its script cache.
      const known = this.#byOriginalSha.get(first.toLowerCase());
      return { args: known ? [name === "EVALSHA" ? "EVAL" : "EVAL_RO", known.script, ...args.slice(2)] : args };
    }
    if (name === "SCRIPT") return this.#scriptSubcommand(args);
    return { args };
  }

  #scriptSubcommand(args: string[]): RewrittenCommand {
    const subcommand = args[1]?.toUpperCase();
    if (subcommand === "LOAD" && args[2] !== undefined) {
      const rewritten = this.#learn(args[2]);
      return rewritten ? { args: [args[0] ?? "SCRIPT", args[1] ?? "LOAD", rewritten.script], reply: sha1(args[2]) } : { args };
    }
    if (subcommand === "EXISTS") {
      return { args: args.map((arg, i) => (i < 2 ? arg : (this.#byOriginalSha.get(arg.toLowerCase())?.sha ?? arg))) };
    }
    if (subcommand === "FLUSH") this.#byOriginalSha.clear();
    return { args };
  }

  /** Registers a script that carries an Upstash-only flag; undefined when it needs no rewrite. */
  #learn(script: string): Rewritten | undefined {
    const rewrittenScript = withoutUpstashFlags(script);
    if (rewrittenScript === script) return undefined;
    const rewritten = { script: rewrittenScript, sha: sha1(rewrittenScript) };
    this.#byOriginalSha.set(sha1(script), rewritten);
    return rewritten;
  }
}

/** Drops Upstash-only flags from the shebang; an emptied shebang becomes a blank line (line numbers stay). */
export function withoutUpstashFlags(script: string): string {
  const match = /^#!lua([^\n]*)/.exec(script);
  if (!match) return script;
  const options = (match[1] ?? "").trim();
  const flagsMatch = /^flags=(\S*)$/.exec(options);
  if (!flagsMatch) return script;
  const flags = (flagsMatch[1] ?? "").split(",").filter((flag) => flag !== "");
  const kept = flags.filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag));
  if (kept.length === flags.length) return script;
  const shebang = kept.length > 0 ? `#!lua flags=${kept.join(",")}` : "";
  return shebang + script.slice(match[0].length);
}

export function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}
