/** EVAL, EVALSHA and SCRIPT for the in-memory Redis. */
import { RedisError } from "../backend.ts";
import { OK, SYNTAX_ERROR, parseInteger, type CommandTable, type MemoryReply } from "./command.ts";
import type { LuaEngine } from "./lua.ts";

function splitKeys(lua: LuaEngine, sha: string, [numkeysText = "", ...rest]: string[]): MemoryReply {
  const numkeys = parseInteger(numkeysText);
  if (numkeys < 0) throw new RedisError("ERR Number of keys can't be negative");
  if (numkeys > rest.length) throw new RedisError("ERR Number of keys can't be greater than number of args");
  return lua.run(sha, rest.slice(0, numkeys), rest.slice(numkeys));
}

export function scriptingCommands(lua: LuaEngine): CommandTable {
  const evalScript = { arity: -3, run: (_ks: unknown, [script = "", ...rest]: string[]) => splitKeys(lua, lua.load(script), rest) };
  const evalSha = { arity: -3, run: (_ks: unknown, [sha = "", ...rest]: string[]) => splitKeys(lua, sha, rest) };
  return {
    EVAL: evalScript,
    EVAL_RO: evalScript,
    EVALSHA: evalSha,
    EVALSHA_RO: evalSha,
    SCRIPT: {
      arity: -2,
      run: (_ks, [subcommand = "", ...args]) => {
        switch (subcommand.toUpperCase()) {
          case "LOAD":
            return lua.load(args[0] ?? "");
          case "EXISTS":
            return args.map((sha) => (lua.has(sha) ? 1 : 0));
          case "FLUSH":
            lua.flush();
            return OK;
          default:
            throw new RedisError(SYNTAX_ERROR);
        }
      },
    },
  };
}

/** Commands a script may not call (Redis refuses them too). */
export const NOT_FROM_SCRIPTS = new Set(["EVAL", "EVAL_RO", "EVALSHA", "EVALSHA_RO", "SCRIPT"]);
