import { PGlite } from "@electric-sql/pglite";
const mem = () => Math.round(process.memoryUsage().rss/1e6);
let t = Date.now();
const a = new PGlite();
await a.waitReady;
console.log("initdb", Date.now()-t, "ms rss", mem());
await a.exec("create table t (id uuid primary key default gen_random_uuid(), v text, j jsonb, ts timestamptz default now(), arr text[])");
t = Date.now();
const dump = await a.dumpDataDir("gzip");
console.log("dump", Date.now()-t, dump.size, dump.constructor.name);
const ident = new Proxy({}, { get: () => (v) => v });
t = Date.now();
const b = new PGlite({ loadDataDir: dump });
await b.waitReady;
b.parsers = ident; b.serializers = ident;
console.log("load", Date.now()-t, "rss", mem());
const r = await b.query("insert into t (v, j, arr) values ($1, $2, $3) returning *", ["x", '{"a":1}', '{"a","b c"}'], { rowMode: "array" });
console.log(JSON.stringify(r));
const r2 = await b.query("select 1::int as n, true as b, now() as ts, '{1,2}'::int[] as a, null as z", [], { rowMode: "array" });
console.log(JSON.stringify(r2));
try { await b.query("select 1; select 2"); } catch (e) { console.log("multi:", e.message, e.code); }
try { await b.query("insert into t (id) values ($1), ($1)", ["00000000-0000-0000-0000-000000000001"]); } catch (e) { console.log("dup:", Object.fromEntries(Object.entries(e).filter(([k])=>k!=="query"))); }
const c = new PGlite("/tmp/exp/pgl-persist", { loadDataDir: dump });
await c.waitReady;
console.log("persist load ok", (await c.query("select count(*) from t")).rows);
await c.query("insert into t(v) values('p')");
await c.close();
const d = new PGlite("/tmp/exp/pgl-persist");
await d.waitReady;
console.log("reopen", (await d.query("select count(*) from t")).rows, "rss", mem());
const e2 = []; t = Date.now();
for (let i=0;i<4;i++){ const x = new PGlite({ loadDataDir: dump }); await x.waitReady; e2.push(x);} 
console.log("4 more", Date.now()-t, "rss", mem());
