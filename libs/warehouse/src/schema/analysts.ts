// Who may read the dashboard and the analyst API: analysts with scrypt-hashed passwords, their
// browser sessions (httpOnly cookie) and long-lived API tokens for scripts. Only hashes of the
// session ids and tokens are stored, so a database dump does not let anyone in.
import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const ANALYST_ROLES = ['admin', 'analyst'] as const;
export type AnalystRole = (typeof ANALYST_ROLES)[number];

export const analysts = pgTable(
  'analysts',
  {
    username: text().primaryKey(),
    /** `scrypt$N$r$p$salt$hash` (base64url parts). */
    password_hash: text().notNull(),
    role: text().$type<AnalystRole>().notNull().default('analyst'),
    created_at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    last_login_at: timestamp({ withTimezone: true }),
  },
  (t) => [check('analysts_role_check', sql`${t.role} in ('admin', 'analyst')`)],
);

export const analyst_sessions = pgTable(
  'analyst_sessions',
  {
    /** SHA-256 of the cookie value, hex. */
    id_hash: text().primaryKey(),
    username: text()
      .notNull()
      .references(() => analysts.username, { onDelete: 'cascade' }),
    created_at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expires_at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('analyst_sessions_expires_idx').on(t.expires_at)],
);

export const api_tokens = pgTable('api_tokens', {
  /** SHA-256 of the token, hex. */
  token_hash: text().primaryKey(),
  username: text()
    .notNull()
    .references(() => analysts.username, { onDelete: 'cascade' }),
  name: text().notNull(),
  created_at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  last_used_at: timestamp({ withTimezone: true }),
});
