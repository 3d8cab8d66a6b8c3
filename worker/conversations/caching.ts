/**
 * The caller's conversations through the shared cache (one family per user, a minute): the list,
 * each conversation, and each page of message history (only once no reply in it is pending: its
 * job is about to fill it in). Writes revise only what mentions the conversation they touched.
 */
import type { Config } from "../config.ts";
import { ApiError } from "../errors.ts";
import { CACHE_TTL_SECONDS, cacheFamily, DROP, type Cache, type CacheFamily } from "../platform/cache.ts";
import type { Db } from "../platform/db.ts";
import type { Conversation, ConversationPage, MessagePage } from "./schemas.ts";
import { getConversation, listConversations, listMessages } from "./service.ts";

export function conversationsFamily(config: Config, userId: string): CacheFamily {
  return cacheFamily(config, CACHE_TTL_SECONDS.conversations, "conversations", userId);
}

/** A read whose not-found answer is cached like any other (briefly), then thrown as the 404 it is. */
async function orNotFound<T>(read: (load: () => Promise<T | undefined>) => Promise<T | undefined>, load: () => Promise<T>): Promise<T> {
  const value = await read(async () => {
    try {
      return await load();
    } catch (err) {
      if (err instanceof ApiError && err.code === "not_found") return undefined;
      throw err;
    }
  });
  if (value === undefined) throw new ApiError("not_found", "Conversation not found");
  return value;
}

export function readConversationPage(db: Db, cache: Cache, config: Config, userId: string, limit: number, cursor?: string): Promise<ConversationPage> {
  return cache.read(conversationsFamily(config, userId), `list:${limit}:${cursor ?? ""}`, () => listConversations(db, userId, limit, cursor));
}

export function readConversation(db: Db, cache: Cache, config: Config, userId: string, id: string): Promise<Conversation> {
  const notFoundTtlSeconds = CACHE_TTL_SECONDS.notFound;
  return orNotFound((load) => cache.read(conversationsFamily(config, userId), `item:${id}`, load, { notFoundTtlSeconds }), () => getConversation(db, userId, id));
}

export function readMessagePage(db: Db, cache: Cache, config: Config, userId: string, id: string, limit: number, cursor?: string): Promise<MessagePage> {
  const options = { notFoundTtlSeconds: CACHE_TTL_SECONDS.notFound, storable: (page: MessagePage | undefined) => !page?.items.some((m) => m.status === "pending") };
  return orNotFound(
    (load) => cache.read(conversationsFamily(config, userId), `messages:${id}:${limit}:${cursor ?? ""}`, load, options),
    () => listMessages(db, userId, id, limit, cursor),
  );
}

/**
 * After a write to conversation `id`: drops every cached read that mentions it (the conversation,
 * its history, list pages holding it; all pages when one was added), and stores `created`.
 */
export function reviseConversationCache(cache: Cache, config: Config, userId: string, id: string, created?: Conversation): Promise<void> {
  const revision = (member: string, value: unknown) => {
    if (member === `item:${id}` || member.startsWith(`messages:${id}:`)) return DROP;
    if (!member.startsWith("list:")) return undefined;
    return created || (value as ConversationPage).items.some((c) => c.id === id) ? DROP : undefined;
  };
  return cache.revise(conversationsFamily(config, userId), revision, created ? { [`item:${id}`]: created } : {});
}
