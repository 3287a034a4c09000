-- sessions.kinds: each session's events as letters in session order (SESSION_KIND_LETTERS), so a
-- funnel of event types matches it instead of reading the events. Filled here for the sessions
-- already modelled; the model rebuild writes it from then on.
ALTER TABLE "sessions" ADD COLUMN "kinds" text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE "sessions" s SET "kinds" = k.kinds
FROM (
  SELECT site_id, session_id, is_bot,
         string_agg(CASE event_type WHEN 'page_view' THEN 'v' WHEN 'page_close' THEN 'x' WHEN 'click' THEN 'c' WHEN 'scroll' THEN 's'
                                    WHEN 'purchase' THEN 'p' WHEN 'session_start' THEN 'b' WHEN 'session_end' THEN 'e' WHEN 'custom' THEN 'u' END,
                    '' ORDER BY event_time, received_at, event_id) AS kinds
  FROM "events"
  GROUP BY site_id, session_id, is_bot
) k
WHERE s.site_id = k.site_id AND s.session_id = k.session_id AND s.is_bot = k.is_bot;
