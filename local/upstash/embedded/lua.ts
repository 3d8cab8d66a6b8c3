/**
 * Lua scripts on ioredis-mock, with Redis's semantics restored around its fengari bridge: each
 * script runs inside a prelude and a wrapper, as Lua, in the same atomic `EVAL`.
 * - `redis.call` / `redis.pcall`: arguments become Redis strings (integers, floats as Redis prints
 *   them); the WRONGTYPE check runs first (KEY_TYPES); SET's options go upper case; replies become
 *   Lua values as Redis gives them (integers, not 1.0; nil bulk and nested nil -> false; arrays as
 *   real tables, not JavaScript proxies); an error reply raises `{err=...}` (call) or is returned (pcall).
 * - `redis.status_reply`, `redis.error_reply`, `redis.log` and friends exist.
 * - The script's reply is converted as Redis converts it (numbers truncated, false -> nil, true -> 1,
 *   tables up to the first nil, `{ok=}` -> status, `{err=}` -> error) and handed back tagged,
 *   because ioredis-mock's own conversion loses nested nils and reads a table filled by
 *   assignment (not by a constructor) as an object.
 */
import { RedisError, type RedisReply } from "../backend.ts";
import { KEY_TYPES, OVERWRITTEN_FIRST_KEY, WRONGTYPE, commandSpec } from "./rules.ts";

const luaString = (text: string) => JSON.stringify(text); // JSON string escapes are valid Lua for ASCII

/**
 * Per checked command the script names (as a string literal, the way scripts call commands): the
 * type its keys must hold, first key, last key (negative: from the end), step, first key
 * overwritten. Only those: fengari parses the prelude on every EVAL, and a table of every command
 * would cost more than the script.
 */
function keySpecTable(script: string): string {
  const named = new Set([...script.matchAll(/["']([A-Za-z]+)["']/g)].map((match) => (match[1] ?? "").toUpperCase()));
  return Object.entries(KEY_TYPES)
    .filter(([name]) => named.has(name))
    .map(([name, type]) => {
      const spec = commandSpec(name);
      if (!spec) throw new Error(`${name} is not in Redis's command table`);
      return `${name}={${luaString(type)},${spec.keyStart},${spec.keyStop},${Math.max(spec.step, 1)},${OVERWRITTEN_FIRST_KEY.has(name)}}`;
    })
    .join(",");
}

const PRELUDE = `
local __mock = redis.call
local function __arg(a)
  if math.type(a) == 'integer' then return tostring(a) end
  if type(a) == 'number' then
    for p = 15, 17 do local s = string.format('%.' .. p .. 'g', a); if tonumber(s) == a then return s end end
  end
  if type(a) == 'string' then return a end
  error({err = 'ERR Lua redis lib command arguments must be strings or integers'})
end
local function __value(v, top)
  if v == nil or v == false then return false end
  local t = type(v)
  if t == 'number' then return math.tointeger(v) or v end
  if t == 'boolean' then return 1 end
  if t ~= 'userdata' then return v end
  local ok, length = pcall(function() return v.length end)
  if not ok or type(length) ~= 'number' then return false end
  local out = {}
  for i = top and 1 or 0, length - 1 do out[#out + 1] = __value(v[i], false) end
  return out
end
local function __exec(...)
  local args = {...}
  if #args == 0 then error({err = 'ERR Please specify at least one argument for this redis lib call'}) end
  for i = 1, #args do args[i] = __arg(args[i]) end
  local name = string.upper(args[1])
  local spec = __keys[name]
  if spec then
    local last = spec[3] < 0 and #args + spec[3] or spec[3]
    for p = spec[2], last, spec[4] do
      if not (spec[5] and p == spec[2]) and args[p + 1] then
        local held = __mock('TYPE', args[p + 1])
        if held ~= 'none' and held ~= spec[1] then error({err = ${luaString(WRONGTYPE)}}) end
      end
    end
  end
  if name == 'SET' then for i = 4, #args do args[i] = string.upper(args[i]) end end
  local ok, reply = pcall(__mock, table.unpack(args))
  if not ok then
    local message = tostring(reply):gsub('^Error: ', '')
    -- ioredis-mock looks the command up in its own table: a missing one fails as a TypeError.
    if message:find('^TypeError') then message = 'ERR Unknown Redis command called from script' end
    error({err = message})
  end
  return __value(reply, true)
end
redis.call = __exec
redis.pcall = function(...)
  local ok, reply = pcall(__exec, ...)
  if ok then return reply end
  if type(reply) == 'table' and reply.err then return reply end
  return {err = tostring(reply)}
end
redis.status_reply = function(text) return {ok = text} end
redis.error_reply = function(text) return {err = text} end
redis.log = function() end
redis.setresp = function() end
redis.set_repl = function() end
redis.replicate_commands = function() return true end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
local function __encode(v)
  local t = type(v)
  if t == 'number' then
    local n = v >= 0 and math.floor(v) or math.ceil(v)
    return 'i' .. string.format('%d', math.tointeger(n) or 0)
  end
  if t == 'string' then return 's' .. v end
  if t == 'boolean' then return v and 'i1' or 'n' end
  if t ~= 'table' then return 'n' end
  if type(v.err) == 'string' then return {'e', v.err} end
  if type(v.ok) == 'string' then return 's' .. v.ok end
  local out, i = {'a'}, 1
  while v[i] ~= nil do out[#out + 1] = __encode(v[i]); i = i + 1 end
  -- Rebuilt by a constructor: ioredis-mock reads a table filled by assignment as an object, not an array.
  return {table.unpack(out)}
end
`;

/** The script as ioredis-mock runs it: prelude, the user's script as a function, the tagged reply. */
export function wrapScript(script: string): string {
  // A shebang (`#!lua ...`) is for Redis's loader; Lua's own would choke on it. Keep the line count.
  const body = script.replace(/^#![^\n]*/, "");
  return `local __keys = {${keySpecTable(body)}}
${PRELUDE}
local __ok, __reply = pcall(function()
${body}
end)
if not __ok then
  if type(__reply) == 'table' and type(__reply.err) == 'string' then return {'e', __reply.err} end
  return {'e', 'ERR user_script: ' .. tostring(__reply)}
end
return __encode(__reply)
`;
}

/** Turns the tagged reply back into a Redis reply; an error reply throws. */
export function decodeReply(tagged: unknown): RedisReply {
  if (typeof tagged === "string") {
    const tag = tagged[0];
    if (tag === "i") return Number(tagged.slice(1));
    if (tag === "s") return tagged.slice(1);
    return null;
  }
  if (Array.isArray(tagged)) {
    const [tag, ...items] = tagged as unknown[];
    if (tag === "e") throw new RedisError(String(items[0]));
    return items.map(decodeReply);
  }
  return null;
}
