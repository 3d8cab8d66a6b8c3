import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { api, unwrap } from "../api/client.ts";
import type { AnswerValue, Answers } from "../api/types.ts";
import { AnswerSaver } from "./answerSaver.ts";
import { assessmentKeys } from "./queries.ts";

/** A draft's answers as the screen edits them, saved in the background (see AnswerSaver). */
export function useAutosave(id: string, initial: Answers) {
  const queryClient = useQueryClient();
  const [answers, setAnswers] = useState<Answers>(initial);
  const [saver] = useState(
    () =>
      new AnswerSaver({
        save: async (batch) => {
          const saved = await unwrap(api.PUT("/api/v1/assessments/{id}/answers", { params: { path: { id } }, body: { answers: batch } }));
          queryClient.setQueryData(assessmentKeys.detail(id), saved);
        },
      }),
  );
  const { status, rejected } = useSyncExternalStore(saver.subscribe, saver.getSnapshot);

  useEffect(() => {
    const retry = () => void saver.flush();
    const warn = (event: BeforeUnloadEvent) => {
      if (saver.hasUnsaved()) event.preventDefault();
    };
    window.addEventListener("online", retry);
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("online", retry);
      window.removeEventListener("beforeunload", warn);
      // Leaving the screen within the pause still saves the last answer.
      void saver.flush();
    };
  }, [saver]);

  const setAnswer = useCallback(
    (questionId: string, value: AnswerValue) => {
      setAnswers((a) => ({ ...a, [questionId]: value }));
      saver.set(questionId, value);
    },
    [saver],
  );
  const flush = useCallback(() => saver.flush(), [saver]);

  return { answers, setAnswer, flush, status, rejected };
}
