import { useSyncExternalStore } from "react";
import { session } from "../api/client.ts";
import type { SessionState } from "../api/session.ts";
import type { User } from "../api/types.ts";

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** The signed-in user; only for screens rendered inside RequireAuth. */
export function useUser(): User {
  const state = useSession();
  if (state.status !== "signed_in") throw new Error("useUser() outside a signed-in screen");
  return state.user;
}
