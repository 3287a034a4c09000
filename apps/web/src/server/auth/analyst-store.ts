// Analysts, their login sessions and their API tokens, in the warehouse (tables analysts,
// analyst_sessions, api_tokens). Session ids and tokens are random 256-bit values; only their
// SHA-256 is stored.

import { createHash, randomBytes } from 'node:crypto';
import type { AnalystRole } from '@clickstream/warehouse';
import type { Sql } from 'postgres';
import { decoyHash, hashPassword, verifyPassword } from './passwords';

export interface Analyst {
  username: string;
  role: AnalystRole;
}

export interface ApiTokenInfo {
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  /** The first characters of the token, to tell tokens apart in a list. */
  prefix: string;
}

/** Bearer tokens carry this prefix, so a leaked one is recognisable (and scannable) as ours. */
export const TOKEN_PREFIX = 'cst_';
const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export class AnalystInputError extends Error {}

export function assertUsername(username: string): void {
  if (!USERNAME.test(username)) throw new AnalystInputError('a user name is 1–64 letters, digits or . _ @ -');
}
export function assertPassword(password: string): void {
  if (password.length < 8) throw new AnalystInputError('a password has at least 8 characters');
  if (password.length > 1024) throw new AnalystInputError('a password has at most 1024 characters');
}

export interface AnalystStore {
  /** Creates the analyst, or replaces its password and role when it exists. */
  upsertAnalyst(username: string, password: string, role: AnalystRole): Promise<void>;
  hasAnalysts(): Promise<boolean>;
  /** The analyst when the password matches; null otherwise (same time either way). */
  verifyLogin(username: string, password: string): Promise<Analyst | null>;
  createSession(username: string, ttlMs: number): Promise<{ id: string; expiresAt: Date }>;
  sessionAnalyst(id: string): Promise<Analyst | null>;
  deleteSession(id: string): Promise<void>;
  createToken(username: string, name: string): Promise<string>;
  tokenAnalyst(token: string): Promise<Analyst | null>;
  listTokens(username: string): Promise<ApiTokenInfo[]>;
  revokeToken(username: string, prefix: string): Promise<boolean>;
  /** Deletes expired sessions; returns how many. */
  purgeExpiredSessions(): Promise<number>;
}

export function createAnalystStore(sql: Sql, now: () => Date = () => new Date()): AnalystStore {
  return {
    async upsertAnalyst(username, password, role) {
      assertUsername(username);
      assertPassword(password);
      const hash = await hashPassword(password);
      await sql`
        insert into analysts (username, password_hash, role) values (${username}, ${hash}, ${role})
        on conflict (username) do update set password_hash = excluded.password_hash, role = excluded.role`;
      // A new password ends the sessions that the old one opened.
      await sql`delete from analyst_sessions where username = ${username}`;
    },
    async hasAnalysts() {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from analysts`;
      return row.n > 0;
    },
    async verifyLogin(username, password) {
      const [row] = USERNAME.test(username)
        ? await sql<{ username: string; role: AnalystRole; password_hash: string }[]>`
            select username, role, password_hash from analysts where username = ${username}`
        : [];
      const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
      if (!row || !ok) return null;
      await sql`update analysts set last_login_at = ${now()} where username = ${row.username}`;
      return { username: row.username, role: row.role };
    },
    async createSession(username, ttlMs) {
      const id = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now().getTime() + ttlMs);
      await sql`insert into analyst_sessions (id_hash, username, expires_at) values (${sha256(id)}, ${username}, ${expiresAt})`;
      return { id, expiresAt };
    },
    async sessionAnalyst(id) {
      const [row] = await sql<Analyst[]>`
        select a.username, a.role from analyst_sessions s join analysts a using (username)
        where s.id_hash = ${sha256(id)} and s.expires_at > ${now()}`;
      return row ?? null;
    },
    async deleteSession(id) {
      await sql`delete from analyst_sessions where id_hash = ${sha256(id)}`;
    },
    async createToken(username, name) {
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      await sql`insert into api_tokens (token_hash, username, name) values (${sha256(token)}, ${username}, ${name})`;
      return token;
    },
    async tokenAnalyst(token) {
      if (!token.startsWith(TOKEN_PREFIX)) return null;
      const [row] = await sql<Analyst[]>`
        update api_tokens t set last_used_at = ${now()} from analysts a
        where t.token_hash = ${sha256(token)} and a.username = t.username
        returning a.username, a.role`;
      return row ?? null;
    },
    async listTokens(username) {
      // The hash is not the token, so the prefix shown is of the hash: stable and not secret.
      const rows = await sql<(Omit<ApiTokenInfo, 'prefix'> & { token_hash: string })[]>`
        select name, created_at, last_used_at, token_hash from api_tokens where username = ${username} order by created_at`;
      return rows.map(({ token_hash, ...rest }) => ({ ...rest, prefix: token_hash.slice(0, 12) }));
    },
    async revokeToken(username, prefix) {
      if (!/^[0-9a-f]{12}$/.test(prefix)) return false;
      const rows = await sql`delete from api_tokens where username = ${username} and left(token_hash, 12) = ${prefix} returning 1`;
      return rows.length > 0;
    },
    async purgeExpiredSessions() {
      const rows = await sql`delete from analyst_sessions where expires_at <= ${now()} returning 1`;
      return rows.length;
    },
  };
}
