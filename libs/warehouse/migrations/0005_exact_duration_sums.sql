-- Duration sums of the hour grain as exact numerics (they were float8 sums, whose last bits could
-- tip an average rounded to 2 decimals the other way than avg() over the raw rows), recomputed from
-- the raw-grain models as the model rebuild (src/models/rebuild.ts) computes them from now on.
ALTER TABLE "page_engagement_daily" ALTER COLUMN "time_on_page_seconds_sum" SET DATA TYPE numeric;
--> statement-breakpoint
ALTER TABLE "session_metrics_daily" ALTER COLUMN "duration_seconds_sum" SET DATA TYPE numeric;
--> statement-breakpoint
UPDATE "session_metrics_daily" m SET "duration_seconds_sum" = x."total"
FROM (
  SELECT "site_id", date_trunc('hour', "started_at", 'UTC') AS "hour", "is_bot", sum("duration_seconds"::numeric) AS "total"
  FROM "sessions" GROUP BY 1, 2, 3
) x
WHERE m."site_id" = x."site_id" AND m."hour" = x."hour" AND m."is_bot" = x."is_bot";
--> statement-breakpoint
UPDATE "page_engagement_daily" m SET "time_on_page_seconds_sum" = x."total"
FROM (
  SELECT "site_id", date_trunc('hour', "viewed_at", 'UTC') AS "hour", "is_bot", coalesce("path", '') AS "path",
         coalesce(sum("time_on_page_seconds"::numeric), 0) AS "total"
  FROM "page_views" GROUP BY 1, 2, 3, 4
) x
WHERE m."site_id" = x."site_id" AND m."hour" = x."hour" AND m."is_bot" = x."is_bot" AND m."path" = x."path";
