-- Rollups the dashboard reads instead of raw events or raw-grain models (see src/schema/models.ts
-- and src/schema/live.ts), filled here from what the warehouse already holds, exactly as the model
-- rebuild (src/models/rebuild.ts) and the live rollups (src/live-rollups.ts) fill them from now on.
CREATE TABLE "dimension_user_hours" (
	"site_id" text NOT NULL,
	"dimension" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"value" text NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "dimension_user_hours_pkey" PRIMARY KEY("site_id","dimension","hour","is_bot","value","user_id")
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
	"user_id" text NOT NULL,
	CONSTRAINT "page_user_hours_pkey" PRIMARY KEY("site_id","hour","is_bot","path","user_id")
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
	"user_id" text NOT NULL,
	"sessions" integer NOT NULL,
	CONSTRAINT "session_user_hours_pkey" PRIMARY KEY("site_id","hour","is_bot","user_id")
);
--> statement-breakpoint
CREATE INDEX "users_site_first_seen_idx" ON "users" USING btree ("site_id","first_seen");--> statement-breakpoint
INSERT INTO "live_hour_counts" ("site_id", "hour", "event_type", "slot", "event_count")
SELECT "site_id", date_trunc('hour', "minute", 'UTC'), "event_type", 0, sum("event_count")
FROM "user_minute_counts" GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE TEMP TABLE "m0004_hour_users" ON COMMIT DROP AS
SELECT "site_id", date_trunc('hour', "event_time", 'UTC') AS "hour", "is_bot", "user_id",
       "country", "device_type", "browser", "os", "referrer_domain", "utm_source", count(*)::int AS "events"
FROM "events" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
--> statement-breakpoint
INSERT INTO "event_dimension_hourly" ("site_id", "dimension", "hour", "is_bot", "value", "events")
SELECT u."site_id", d."dimension", u."hour", u."is_bot", coalesce(d."value", '(none)'), sum(u."events")::int
FROM "m0004_hour_users" u
CROSS JOIN LATERAL (VALUES ('country', u."country"), ('device_type', u."device_type"), ('browser', u."browser"), ('os', u."os"),
                           ('referrer_domain', u."referrer_domain"), ('utm_source', u."utm_source")) AS d("dimension", "value")
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "dimension_user_hours" ("site_id", "dimension", "hour", "is_bot", "value", "user_id")
SELECT DISTINCT u."site_id", d."dimension", u."hour", u."is_bot", coalesce(d."value", '(none)'), u."user_id"
FROM "m0004_hour_users" u
CROSS JOIN LATERAL (VALUES ('country', u."country"), ('device_type', u."device_type"), ('browser', u."browser"), ('os', u."os"),
                           ('referrer_domain', u."referrer_domain"), ('utm_source', u."utm_source")) AS d("dimension", "value");
--> statement-breakpoint
INSERT INTO "session_dimension_hourly" ("site_id", "dimension", "hour", "is_bot", "value", "sessions")
SELECT x."site_id", d."dimension", date_trunc('hour', x."started_at", 'UTC'), x."is_bot", coalesce(d."value", '(none)'), count(*)::int
FROM "sessions" x
CROSS JOIN LATERAL (VALUES ('country', x."country"), ('device_type', x."device_type"), ('browser', x."browser"), ('os', x."os"),
                           ('referrer_domain', x."referrer_domain"), ('utm_source', x."utm_source")) AS d("dimension", "value")
GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO "session_user_hours" ("site_id", "hour", "is_bot", "user_id", "sessions")
SELECT "site_id", date_trunc('hour', "started_at", 'UTC'), "is_bot", "user_id", count(*)::int
FROM "sessions" GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO "page_user_hours" ("site_id", "hour", "is_bot", "path", "user_id")
SELECT DISTINCT "site_id", date_trunc('hour', "viewed_at", 'UTC'), "is_bot", coalesce("path", ''), "user_id"
FROM "page_views";
