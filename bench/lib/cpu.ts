/**
 * CPU time of a process group from /proc (Linux): a `wrangler dev` instance is one group (the
 * wrangler node process and its workerd processes). The workerd share is what a deployed Worker's
 * CPU time is estimated from: it includes the local proxy worker and HTTP parsing, so it is an
 * upper bound of the CPU Cloudflare would bill.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export interface GroupCpu {
  /** CPU ms of the group's workerd processes (the Worker runtime). */
  workerdMs: number;
  /** CPU ms of every process in the group. */
  totalMs: number;
}

export function groupCpu(pgid: number): GroupCpu {
  const perTick = 1000 / clockTicks();
  let workerd = 0;
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return { workerdMs: 0, totalMs: 0 };
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    const ticks = Number(fields[11]) + Number(fields[12]);
    total += ticks;
    if (name.startsWith("workerd")) workerd += ticks;
  }
  return { workerdMs: workerd * perTick, totalMs: total * perTick };
}

/** CPU spent by the group between two readings. */
export function cpuSince(before: GroupCpu, pgid: number): GroupCpu {
  const now = groupCpu(pgid);
  return { workerdMs: now.workerdMs - before.workerdMs, totalMs: now.totalMs - before.totalMs };
}
