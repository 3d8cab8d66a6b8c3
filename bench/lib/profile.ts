/** How big a run is: `full` for `npm run bench` (< 10 min), `smoke` for CI (seconds). */
export interface Profile {
  name: "full" | "smoke";
  /** Seconds of load per route. */
  routeSeconds: number;
  connections: number;
  /** Users of the single-instance scenarios (each registers once: a PBKDF2 hash). */
  users: number;
  /** WHO-5 drafts per user, submitted by the submit load. */
  draftsPerUser: number;
  /** Seconds per side (cache on, cache off) of the 90/10 mix. */
  mixSeconds: number;
  fleet: { instances: number; users: number; loginAttempts: number; aiBudget: number; posts: number };
  faults: { users: number; phaseSeconds: number; drainTimeoutMs: number };
  /** chat-latency.ts runs once per model latency (the stand-in model's delay). */
  chat: { requests: number; concurrency: number; modelLatenciesMs: number[] };
  drainTimeoutMs: number;
}

export const profiles: Record<Profile["name"], Profile> = {
  full: {
    name: "full",
    routeSeconds: 8,
    connections: 8,
    users: 40,
    draftsPerUser: 8,
    mixSeconds: 12,
    fleet: { instances: 3, users: 30, loginAttempts: 300, aiBudget: 100, posts: 300 },
    faults: { users: 24, phaseSeconds: 8, drainTimeoutMs: 150_000 },
    chat: { requests: 1000, concurrency: 4, modelLatenciesMs: [0, 5_000] },
    drainTimeoutMs: 60_000,
  },
  smoke: {
    name: "smoke",
    routeSeconds: 1,
    connections: 2,
    users: 3,
    draftsPerUser: 1,
    mixSeconds: 1,
    fleet: { instances: 1, users: 3, loginAttempts: 15, aiBudget: 5, posts: 9 },
    faults: { users: 2, phaseSeconds: 1, drainTimeoutMs: 30_000 },
    chat: { requests: 10, concurrency: 2, modelLatenciesMs: [1_000] },
    drainTimeoutMs: 20_000,
  },
};
