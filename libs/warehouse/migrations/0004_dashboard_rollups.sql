-- Rollups the dashboard reads instead of raw events or raw-grain models (see src/schema/models.ts
-- and src/schema/live.ts), filled here from what the warehouse already holds, exactly as the model
-- rebuild (src/models/rebuild.ts) and the live rollups (src/live-rollups.ts) fill them from now on.
-- user_hours (0003) is rebuilt with user numbers in place of the text ids.
CREATE TABLE "dimension_user_hours" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"user_no" integer NOT NULL,
	"country" text NOT NULL,
	"device_type" text NOT NULL,
	"browser" text NOT NULL,
	"os" text NOT NULL,
	"referrer_domain" text NOT NULL,
	"utm_source" text NOT NULL,
	CONSTRAINT "dimension_user_hours_pkey" PRIMARY KEY("site_id","hour","is_bot","user_no","country","device_type","browser","os","referrer_domain","utm_source")
);
--> statement-breakpoint
CREATE TABLE "event_dimension_hourly" (
	"site_id" text NOT NULL,
	"dimension" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"value" text NOT NULL,
	"events" integer NOT NULL,
	CONSTRAINT "event_dimension_hourly_pkey" PRIMARY KEY("site_id","dimension","hour","is_bot","value")
);
--> statement-breakpoint
CREATE TABLE "live_hour_counts" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"event_type" text NOT NULL,
	"slot" integer NOT NULL,
	"event_count" bigint NOT NULL,
	CONSTRAINT "live_hour_counts_pkey" PRIMARY KEY("site_id","hour","event_type","slot")
);
--> statement-breakpoint
CREATE TABLE "page_user_hours" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"path" text NOT NULL,
	"user_no" integer NOT NULL,
	CONSTRAINT "page_user_hours_pkey" PRIMARY KEY("site_id","hour","is_bot","path","user_no")
);
--> statement-breakpoint
CREATE TABLE "session_dimension_hourly" (
	"site_id" text NOT NULL,
	"dimension" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"value" text NOT NULL,
	"sessions" integer NOT NULL,
	CONSTRAINT "session_dimension_hourly_pkey" PRIMARY KEY("site_id","dimension","hour","is_bot","value")
);
--> statement-breakpoint
CREATE TABLE "session_user_hours" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"user_no" integer NOT NULL,
	"sessions" integer NOT NULL,
	CONSTRAINT "session_user_hours_pkey" PRIMARY KEY("site_id","hour","is_bot","user_no")
);
--> statement-breakpoint
CREATE TABLE "user_numbers" (
	"site_id" text NOT NULL,
	"user_id" text NOT NULL,
	"user_no" integer NOT NULL,
	CONSTRAINT "user_numbers_pkey" PRIMARY KEY("site_id","user_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "user_numbers_site_no_idx" ON "user_numbers" USING btree ("site_id","user_no");--> statement-breakpoint
CREATE INDEX "users_site_first_seen_idx" ON "users" USING btree ("site_id","first_seen");
--> statement-breakpoint
DROP TABLE "user_hours";
--> statement-breakpoint
CREATE TABLE "user_hours" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"user_no" integer NOT NULL,
	"events" integer NOT NULL,
	CONSTRAINT "user_hours_pkey" PRIMARY KEY("site_id","hour","is_bot","user_no")
);
--> statement-breakpoint
INSERT INTO "user_numbers" ("site_id", "user_id", "user_no")
SELECT "site_id", "user_id", row_number() OVER (PARTITION BY "site_id" ORDER BY "user_id")
FROM (SELECT DISTINCT "site_id", "user_id" FROM "events") u;
--> statement-breakpoint
INSERT INTO "live_hour_counts" ("site_id", "hour", "event_type", "slot", "event_count")
SELECT "site_id", date_trunc('hour', "minute", 'UTC'), "event_type", 0, sum("event_count")
FROM "user_minute_counts" GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "user_hours" ("site_id", "hour", "is_bot", "user_no", "events")
SELECT e."site_id", date_trunc('hour', e."event_time", 'UTC'), e."is_bot", n."user_no", count(*)::int
FROM "events" e JOIN "user_numbers" n ON n."site_id" = e."site_id" AND n."user_id" = e."user_id"
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "event_dimension_hourly" ("site_id", "dimension", "hour", "is_bot", "value", "events")
SELECT g."site_id", d."dimension", g."hour", g."is_bot", coalesce(d."value", '(none)'), sum(g."events")::int
FROM (
  SELECT "site_id", date_trunc('hour', "event_time", 'UTC') AS "hour", "is_bot",
         "country", "device_type", "browser", "os", "referrer_domain", "utm_source", count(*) AS "events"
  FROM "events" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
) g
CROSS JOIN LATERAL (VALUES ('country', g."country"), ('device_type', g."device_type"), ('browser', g."browser"), ('os', g."os"),
                           ('referrer_domain', g."referrer_domain"), ('utm_source', g."utm_source")) AS d("dimension", "value")
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "session_dimension_hourly" ("site_id", "dimension", "hour", "is_bot", "value", "sessions")
SELECT x."site_id", d."dimension", date_trunc('hour', x."started_at", 'UTC'), x."is_bot", coalesce(d."value", '(none)'), count(*)::int
FROM "sessions" x
CROSS JOIN LATERAL (VALUES ('country', x."country"), ('device_type', x."device_type"), ('browser', x."browser"), ('os', x."os"),
                           ('referrer_domain', x."referrer_domain"), ('utm_source', x."utm_source")) AS d("dimension", "value")
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "dimension_user_hours" ("site_id", "hour", "is_bot", "user_no", "country", "device_type", "browser", "os", "referrer_domain", "utm_source")
SELECT DISTINCT x."site_id", date_trunc('hour', x."started_at", 'UTC'), x."is_bot", n."user_no",
       coalesce(x."country", '(none)'), coalesce(x."device_type", '(none)'), coalesce(x."browser", '(none)'),
       coalesce(x."os", '(none)'), coalesce(x."referrer_domain", '(none)'), coalesce(x."utm_source", '(none)')
FROM "sessions" x
JOIN "user_numbers" n ON n."site_id" = x."site_id" AND n."user_id" = x."user_id";
--> statement-breakpoint
INSERT INTO "session_user_hours" ("site_id", "hour", "is_bot", "user_no", "sessions")
SELECT x."site_id", date_trunc('hour', x."started_at", 'UTC'), x."is_bot", n."user_no", count(*)::int
FROM "sessions" x JOIN "user_numbers" n ON n."site_id" = x."site_id" AND n."user_id" = x."user_id"
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "page_user_hours" ("site_id", "hour", "is_bot", "path", "user_no")
SELECT DISTINCT p."site_id", date_trunc('hour', p."viewed_at", 'UTC'), p."is_bot", coalesce(p."path", ''), n."user_no"
FROM "page_views" p JOIN "user_numbers" n ON n."site_id" = p."site_id" AND n."user_id" = p."user_id";
