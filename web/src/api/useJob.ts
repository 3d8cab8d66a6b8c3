import { useEffect, useEffectEvent, useState } from "react";
import { api, session, unwrap } from "./client.ts";
import { type JobUpdate, watchJob } from "./jobs.ts";

export type JobProgress = { phase: "connecting" } | { phase: "update"; update: JobUpdate } | { phase: "lost"; error: unknown };

/**
 * Follows job `jobId` (stream, else polling) and reports each status; `onDone` runs once with
 * the terminal update. Stops when the component unmounts.
 */
export function useJob(jobId: string | null, onDone: (update: JobUpdate) => void): JobProgress {
  const [progress, setProgress] = useState<JobProgress>({ phase: "connecting" });
  const finished = useEffectEvent(onDone);
  useEffect(() => {
    if (!jobId) return;
    const controller = new AbortController();
    watchJob({
      signal: controller.signal,
      open: (signal) =>
        session.authFetch(
          new Request(new URL(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, window.location.origin), {
            headers: { Accept: "text/event-stream" },
            signal,
          }),
        ),
      poll: (signal) => unwrap(api.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId } }, signal })),
      onUpdate: (update) => setProgress({ phase: "update", update }),
    }).then(finished, (error: unknown) => {
      if (!controller.signal.aborted) setProgress({ phase: "lost", error });
    });
    return () => controller.abort();
  }, [jobId]);
  return progress;
}
