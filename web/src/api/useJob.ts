import { useEffect, useState } from "react";
import { api, session, unwrap } from "./client.ts";
import { type JobUpdate, watchJob } from "./jobs.ts";

export type JobProgress = { phase: "connecting" } | { phase: "update"; update: JobUpdate } | { phase: "lost"; error: unknown };

/**
 * Follows job `jobId` (stream, else polling) and reports each status; `onDone` runs once with
 * the terminal update. Stops when the component unmounts.
 */
export function useJob(jobId: string | null, onDone: (update: JobUpdate) => void): JobProgress {
  const [progress, setProgress] = useState<JobProgress>({ phase: "connecting" });
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
    }).then(onDone, (error: unknown) => {
      if (!controller.signal.aborted) setProgress({ phase: "lost", error });
    });
    return () => controller.abort();
    // onDone is a callback from the caller's render; following a job restarts only for a new job.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jobId]);
  return progress;
}
