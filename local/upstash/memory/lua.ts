/**
 * Lua scripting for the in-memory Redis, on fengari (Lua 5.3 in JavaScript), with Redis's
 * conversion rules both ways: nil bulk -> false, status -> {ok=...}, error -> {err=...}; from Lua,
 * numbers are truncated to integers, false -> nil, a table stops at its first nil.
 */
import fengari, { type LuaState } from "fengari";
import { RedisError } from "../backend.ts";
import { formatFloat, type MemoryReply, type Status } from "./command.ts";
import { sha1 } from "../scripts.ts";

const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengari;

/** Runs one Redis command from inside a script; throws RedisError for an error reply. */
export type Dispatch = (args: string[]) => MemoryReply;

export class LuaEngine {
  readonly #L: LuaState;
  readonly #compiled = new Map<string, number>();

  constructor(dispatch: Dispatch) {
    this.#L = lauxlib.luaL_newstate();
    openSandboxedLibraries(this.#L);
    installRedisApi(this.#L, dispatch);
  }

  /** Compiles a script and returns its SHA1; compiling it again is free. */
  load(script: string): string {
    const sha = sha1(script);
    if (this.#compiled.has(sha)) return sha;
    const L = this.#L;
    const source = to_luastring(script);
    if (lauxlib.luaL_loadbuffer(L, source, source.length, to_luastring(`@user_script`)) !== lua.LUA_OK) {
      const message = to_jsstring(lua.lua_tolstring(L, -1));
      lua.lua_pop(L, 1);
      throw new RedisError(`ERR Error compiling script (new function): ${message}`);
    }
    this.#compiled.set(sha, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    return sha;
  }

  has(sha: string): boolean {
    return this.#compiled.has(sha.toLowerCase());
  }

  flush(): void {
    for (const ref of this.#compiled.values()) lauxlib.luaL_unref(this.#L, lua.LUA_REGISTRYINDEX, ref);
    this.#compiled.clear();
  }

  run(sha: string, keys: string[], argv: string[]): MemoryReply {
    const ref = this.#compiled.get(sha.toLowerCase());
    if (ref === undefined) throw new RedisError("NOSCRIPT No matching script. Please use EVAL.");
    const L = this.#L;
    setStringArray(L, "KEYS", keys);
    setStringArray(L, "ARGV", argv);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    try {
      if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new RedisError(errorMessage(L, -1));
      return toRedis(L, -1);
    } finally {
      lua.lua_settop(L, 0);
    }
  }
}

/** Redis gives scripts base, table, string and math, and nothing that reaches the file system. */
function openSandboxedLibraries(L: LuaState): void {
  lauxlib.luaL_requiref(L, to_luastring("_G"), lualib.luaopen_base, 1);
  lauxlib.luaL_requiref(L, lualib.LUA_TABLIBNAME, lualib.luaopen_table, 1);
  lauxlib.luaL_requiref(L, lualib.LUA_STRLIBNAME, lualib.luaopen_string, 1);
  lauxlib.luaL_requiref(L, lualib.LUA_MATHLIBNAME, lualib.luaopen_math, 1);
  lua.lua_settop(L, 0);
  for (const name of ["dofile", "loadfile", "print"]) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, to_luastring(name));
  }
}

function installRedisApi(L: LuaState, dispatch: Dispatch): void {
  const functions: Record<string, (L: LuaState) => number> = {
    call: (L) => callRedis(L, dispatch, true),
    pcall: (L) => callRedis(L, dispatch, false),
    sha1hex: (L) => {
      lua.lua_pushstring(L, to_luastring(sha1(to_jsstring(lua.lua_tolstring(L, 1)))));
      return 1;
    },
    error_reply: (L) => pushStatusTable(L, "err", to_jsstring(lua.lua_tolstring(L, 1))),
    status_reply: (L) => pushStatusTable(L, "ok", to_jsstring(lua.lua_tolstring(L, 1))),
    log: () => 0,
    setresp: () => 0,
    set_repl: () => 0,
    replicate_commands: (L) => {
      lua.lua_pushboolean(L, true);
      return 1;
    },
  };
  lua.lua_createtable(L, 0, Object.keys(functions).length);
  for (const [name, fn] of Object.entries(functions)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  lua.lua_setglobal(L, to_luastring("redis"));
}

/** redis.call raises an error reply as a Lua error ({err=...}); redis.pcall returns it. */
function callRedis(L: LuaState, dispatch: Dispatch, raise: boolean): number {
  let reply: MemoryReply;
  try {
    const args: string[] = [];
    for (let i = 1; i <= lua.lua_gettop(L); i++) {
      const type = lua.lua_type(L, i);
      if (type === lua.LUA_TNUMBER) args.push(lua.lua_isinteger(L, i) ? String(lua.lua_tointeger(L, i)) : formatFloat(lua.lua_tonumber(L, i)));
      else if (type === lua.LUA_TSTRING) args.push(to_jsstring(lua.lua_tolstring(L, i)));
      else throw new RedisError("ERR Lua redis lib command arguments must be strings or integers");
    }
    if (args.length === 0) throw new RedisError("ERR Please specify at least one argument for this redis lib call");
    reply = dispatch(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    pushStatusTable(L, "err", message);
    return raise ? lua.lua_error(L) : 1;
  }
  pushReply(L, reply);
  return 1;
}

function pushReply(L: LuaState, reply: MemoryReply): void {
  if (reply === null) lua.lua_pushboolean(L, false);
  else if (typeof reply === "number") lua.lua_pushinteger(L, reply);
  else if (typeof reply === "string") lua.lua_pushstring(L, to_luastring(reply));
  else if (reply instanceof Uint8Array) lua.lua_pushstring(L, reply);
  else if (Array.isArray(reply)) {
    lua.lua_createtable(L, reply.length, 0);
    reply.forEach((item, i) => {
      pushReply(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else pushStatusTable(L, "ok", reply.status);
}

function pushStatusTable(L: LuaState, field: "ok" | "err", text: string): number {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, to_luastring(text));
  lua.lua_setfield(L, -2, to_luastring(field));
  return 1;
}

function toRedis(L: LuaState, relativeIndex: number): MemoryReply {
  // Absolute, so pushing while walking a table does not move what `index` points at.
  const index = relativeIndex < 0 ? lua.lua_gettop(L) + relativeIndex + 1 : relativeIndex;
  const type = lua.lua_type(L, index);
  if (type === lua.LUA_TNUMBER) return Math.trunc(lua.lua_tonumber(L, index));
  if (type === lua.LUA_TSTRING) return to_jsstring(lua.lua_tolstring(L, index));
  if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, index) ? 1 : null;
  if (type !== lua.LUA_TTABLE) return null;
  const error = stringField(L, index, "err");
  if (error !== undefined) throw new RedisError(error);
  const status = stringField(L, index, "ok");
  if (status !== undefined) return { status } satisfies Status;
  const items: MemoryReply[] = [];
  for (let i = 1; ; i++) {
    const itemType = lua.lua_rawgeti(L, index, i);
    if (itemType === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      return items;
    }
    items.push(toRedis(L, -1));
    lua.lua_pop(L, 1);
  }
}

function stringField(L: LuaState, index: number, field: string): string | undefined {
  const type = lua.lua_getfield(L, index, to_luastring(field));
  const value = type === lua.LUA_TSTRING ? to_jsstring(lua.lua_tolstring(L, -1)) : undefined;
  lua.lua_pop(L, 1);
  return value;
}

function errorMessage(L: LuaState, index: number): string {
  if (lua.lua_type(L, index) === lua.LUA_TTABLE) {
    const error = stringField(L, index, "err");
    if (error !== undefined) return error;
  }
  const message = lua.lua_type(L, index) === lua.LUA_TSTRING ? to_jsstring(lua.lua_tolstring(L, index)) : "unknown error";
  return `ERR user_script: ${message}`;
}

function setStringArray(L: LuaState, name: string, values: string[]): void {
  lua.lua_createtable(L, values.length, 0);
  values.forEach((value, i) => {
    lua.lua_pushstring(L, to_luastring(value));
    lua.lua_rawseti(L, -2, i + 1);
  });
  lua.lua_setglobal(L, to_luastring(name));
}
