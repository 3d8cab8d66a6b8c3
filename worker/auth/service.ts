/**
 * Accounts and sessions: the rules, no HTTP. Every write is one batch (one round trip, one
 * transaction) with its conditions in SQL, since neon-http has no interactive transactions.
 */
import { and, eq, inArray, isNotNull, isNull, sql, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Services } from "../context.ts";
import { refreshTokens, users } from "../db/schema.ts";
import { ApiError } from "../errors.ts";
import { isUniqueViolation, type Db } from "../platform/db.ts";
import { newId } from "../platform/ids.ts";
import { burnVerificationWork, hashPassword, verifyPassword } from "./passwords.ts";
import { hashRefreshToken, newRefreshToken, sealSuccessor, signAccessToken, unsealSuccessor } from "./tokens.ts";

type UserRow = typeof users.$inferSelect;

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: "user" | "admin";
  createdAt: string;
}

export interface Session {
  user: User;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, displayName: row.displayName, role: row.role, createdAt: row.createdAt.toISOString() };
}

/** One message for every bad credential, so answers never tell which part was wrong. */
export const BAD_CREDENTIALS = "The email or password is incorrect";
const BAD_REFRESH_TOKEN = "The refresh token is invalid, expired or revoked";

interface NewToken {
  token: string;
  row: typeof refreshTokens.$inferInsert;
}

/** A refresh token opening a new family (a login). */
async function newFamilyToken(services: Services, userId: string, now = Date.now()): Promise<NewToken> {
  const { config } = services;
  const token = newRefreshToken();
  const familyExpiresAt = new Date(now + config.REFRESH_TOKEN_ABSOLUTE_SECONDS * 1000);
  const idleExpiresAt = new Date(Math.min(now + config.REFRESH_TOKEN_IDLE_SECONDS * 1000, familyExpiresAt.getTime()));
  return {
    token,
    row: { id: newId(now), userId, familyId: newId(now), tokenHash: await hashRefreshToken(token), expiresAt: idleExpiresAt, familyExpiresAt },
  };
}

async function sessionOf(services: Services, user: UserRow, refreshToken: string, refreshExpiresAt: Date): Promise<Session> {
  const access = await signAccessToken(services.config, { userId: user.id, role: user.role });
  return {
    user: toUser(user),
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken,
    refreshTokenExpiresAt: refreshExpiresAt.toISOString(),
  };
}

export interface Registration {
  email: string;
  password: string;
  displayName: string;
}

/** Creates the user and their first session in one batch; 409 if the email is taken. */
export async function register(services: Services, input: Registration): Promise<Session> {
  const { db } = services;
  const userId = newId();
  const [passwordHash, first] = await Promise.all([hashPassword(services.config, input.password), newFamilyToken(services, userId)]);
  try {
    const [inserted] = await db.primary.batch([
      db.primary.insert(users).values({ id: userId, email: input.email, displayName: input.displayName, passwordHash }).returning(),
      db.primary.insert(refreshTokens).values(first.row),
    ]);
    const user = inserted[0];
    if (!user) throw new Error("register: insert returned no row");
    return await sessionOf(services, user, first.token, first.row.expiresAt);
  } catch (err) {
    if (isUniqueViolation(err, "users_email_key")) throw new ApiError("conflict", "An account with this email already exists");
    throw err;
  }
}

/**
 * A new session for the right email and password, `undefined` otherwise. An unknown email costs the
 * same hashing work as a wrong password. Outdated hashes (old parameters, legacy bcrypt) are
 * replaced in the same batch that stores the session.
 */
export async function login(services: Services, email: string, password: string): Promise<Session | undefined> {
  const { db, config } = services;
  const [user] = await db.primary.select().from(users).where(eq(users.email, email)).limit(1);
  if (!user) {
    await burnVerificationWork(config, password);
    return undefined;
  }
  const verification = await verifyPassword(config, password, user.passwordHash);
  if (!verification.ok) return undefined;
  const session = await newFamilyToken(services, user.id);
  const r = session.row;
  // Under the user's lock, and only if the hash just verified is still the user's: a login racing a
  // password change never opens a session with the old password.
  const lock = lockTokensOf(db.primary, [user.id]);
  const opened = db.primary.execute(sql`
    insert into ${refreshTokens} (id, user_id, family_id, token_hash, expires_at, family_expires_at)
    select ${r.id}::uuid, id, ${r.familyId}::uuid, ${r.tokenHash}, ${r.expiresAt.toISOString()}::timestamptz, ${r.familyExpiresAt.toISOString()}::timestamptz
    from ${users} where id = ${user.id}::uuid and password_hash = ${user.passwordHash}
    returning id`);
  const [, inserted] = verification.needsRehash
    ? await db.primary.batch([
        lock,
        opened,
        db.primary
          .update(users)
          .set({ passwordHash: await hashPassword(config, password), updatedAt: sql`now()` })
          .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash))),
      ])
    : await db.primary.batch([lock, opened]);
  if (inserted.rows.length === 0) return undefined;
  return sessionOf(services, user, session.token, r.expiresAt);
}

/**
 * Takes the lock every change to a user's refresh tokens takes first: the user row, FOR NO KEY
 * UPDATE (it does not block inserts that reference the user). A refresh and a revocation of the
 * same user's tokens therefore run one after the other, and the later one's next statement (READ
 * COMMITTED: a fresh snapshot) sees what the earlier one committed: a revocation sees the child a
 * refresh inserted and revokes it too; a refresh sees the revocation and inserts nothing. Password
 * changes and account deletion take the same row lock by updating or deleting the user row first;
 * a login takes it before opening a family.
 */
function lockTokensOf(db: Db, userIds: string[] | SQLWrapper) {
  return db.select({ id: users.id }).from(users).where(inArray(users.id, userIds)).for("no key update");
}

/**
 * Exchanges a refresh token for a new session in the same family (one batch, under the user's lock):
 *  1. a spent token presented again is a replay, and revokes its whole family, when it was spent
 *     longer ago than the grace window or its successor has been spent in turn;
 *  2. a live, unspent token is marked spent, naming this call's child as its successor (sealed);
 *  3. the child is inserted only if step 2 named it;
 *  4. the token's successor and its user are read back if the family is live and the token was
 *     spent within the grace window: this call's child, or (a replay inside the window: two tabs
 *     refreshing at once) the successor already issued, unsealed with the presented token. The
 *     family never forks. No row means the token was not acceptable: 401.
 */
export async function refresh(services: Services, refreshToken: string): Promise<Session> {
  const { db, config } = services;
  const childToken = newRefreshToken();
  const [hash, childHash, seal] = await Promise.all([
    hashRefreshToken(refreshToken),
    hashRefreshToken(childToken),
    sealSuccessor(refreshToken, childToken),
  ]);
  const childId = newId();
  const grace = sql`make_interval(secs => ${config.REFRESH_REUSE_GRACE_SECONDS})`;
  const idle = sql`make_interval(secs => ${config.REFRESH_TOKEN_IDLE_SECONDS})`;
  const t = refreshTokens;
  const successor = alias(refreshTokens, "successor");
  const presented = eq(t.tokenHash, hash);
  const replayedFamily = db.primary
    .select({ familyId: t.familyId })
    .from(t)
    .where(
      and(
        presented,
        isNotNull(t.spentAt),
        sql`(${t.spentAt} < now() - ${grace} or exists (select 1 from ${t} spent where spent.id = ${t.successorId} and spent.spent_at is not null))`,
      ),
    );
  const [, , , , rows] = await db.primary.batch([
    lockTokensOf(db.primary, db.primary.select({ userId: t.userId }).from(t).where(presented)),
    db.primary.update(t).set({ revokedAt: sql`now()` }).where(and(isNull(t.revokedAt), inArray(t.familyId, replayedFamily))),
    db.primary
      .update(t)
      .set({ spentAt: sql`now()`, successorId: childId, successorSeal: seal })
      .where(and(presented, isNull(t.spentAt), isNull(t.revokedAt), sql`${t.expiresAt} > now()`, sql`${t.familyExpiresAt} > now()`)),
    db.primary.execute(sql`
      insert into ${t} (id, user_id, family_id, token_hash, expires_at, family_expires_at)
      select ${childId}::uuid, user_id, family_id, ${childHash}, least(now() + ${idle}, family_expires_at), family_expires_at
      from ${t} where ${presented} and ${t.successorId} = ${childId}::uuid`),
    db.primary
      .select({ user: users, successorId: successor.id, expiresAt: successor.expiresAt, seal: t.successorSeal })
      .from(t)
      .innerJoin(successor, eq(successor.id, t.successorId))
      .innerJoin(users, eq(users.id, t.userId))
      .where(
        and(
          presented,
          isNull(t.revokedAt),
          sql`${t.spentAt} >= now() - ${grace}`,
          isNull(successor.revokedAt),
          isNull(successor.spentAt),
          sql`${successor.expiresAt} > now()`,
        ),
      ),
  ]);
  const row = rows[0];
  const token = !row ? undefined : row.successorId === childId ? childToken : row.seal ? await unsealSuccessor(refreshToken, row.seal) : undefined;
  if (!row || !token) throw new ApiError("unauthorized", BAD_REFRESH_TOKEN);
  return sessionOf(services, row.user, token, row.expiresAt);
}

/** Revokes the family of a refresh token (the login it belongs to), under the user's lock. Unknown tokens are a no-op. */
export async function logout(services: Services, refreshToken: string): Promise<void> {
  const { db } = services;
  const t = refreshTokens;
  const presented = eq(t.tokenHash, await hashRefreshToken(refreshToken));
  const family = db.primary.select({ familyId: t.familyId }).from(t).where(presented);
  await db.primary.batch([
    lockTokensOf(db.primary, db.primary.select({ userId: t.userId }).from(t).where(presented)),
    db.primary.update(t).set({ revokedAt: sql`now()` }).where(and(isNull(t.revokedAt), inArray(t.familyId, family))),
  ]);
}

/** The user behind an access token, or `undefined` if the account is gone (one query). */
export async function getUser(services: Services, userId: string): Promise<User | undefined> {
  const [row] = await services.db.primary.select().from(users).where(eq(users.id, userId)).limit(1);
  return row ? toUser(row) : undefined;
}

export interface ProfileChange {
  displayName?: string | undefined;
  currentPassword?: string | undefined;
  newPassword?: string | undefined;
}

async function userWithPassword(services: Services, userId: string, password: string): Promise<UserRow> {
  const [row] = await services.db.primary.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!row) throw new ApiError("unauthorized", "The account no longer exists");
  const verification = await verifyPassword(services.config, password, row.passwordHash);
  if (!verification.ok) throw new ApiError("unauthorized", "The password is incorrect");
  return row;
}

/**
 * Updates the profile; a new password needs the current one and revokes every refresh token of
 * the user in the same batch (other devices must log in again).
 */
export async function updateProfile(services: Services, userId: string, change: ProfileChange): Promise<User> {
  const { db } = services;
  const displayName = change.displayName === undefined ? {} : { displayName: change.displayName };
  if (change.newPassword === undefined) {
    const [row] = await db.primary
      .update(users)
      .set({ ...displayName, updatedAt: sql`now()` })
      .where(eq(users.id, userId))
      .returning();
    if (!row) throw new ApiError("unauthorized", "The account no longer exists");
    return toUser(row);
  }
  const current = await userWithPassword(services, userId, change.currentPassword ?? "");
  const passwordHash = await hashPassword(services.config, change.newPassword);
  const [updated] = await db.primary.batch([
    db.primary
      .update(users)
      .set({ ...displayName, passwordHash, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), eq(users.passwordHash, current.passwordHash)))
      .returning(),
    db.primary
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt))),
  ]);
  const row = updated[0];
  // The hash changed between our read and write: another password change won the race.
  if (!row) throw new ApiError("conflict", "The password was changed meanwhile, try again");
  return toUser(row);
}

/**
 * Deletes the account after checking the password. One statement: the foreign keys cascade to
 * refresh tokens, assessments, conversations, messages, jobs and idempotency keys. 409 when it
 * deleted nothing: the password changed (or the account went) between the check and the delete.
 */
export async function deleteAccount(services: Services, userId: string, password: string): Promise<void> {
  const current = await userWithPassword(services, userId, password);
  const [deleted] = await services.db.primary.batch([
    services.db.primary
      .delete(users)
      .where(and(eq(users.id, userId), eq(users.passwordHash, current.passwordHash)))
      .returning({ id: users.id }),
  ]);
  if (deleted.length === 0) throw new ApiError("conflict", "The password was changed meanwhile: nothing was deleted, try again");
}
