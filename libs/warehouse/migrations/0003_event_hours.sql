-- Hour-grain event counts per type and users per hour, for ranges made of whole UTC hours (see
-- src/schema/models.ts). Unqualified names: the schema comes from the connection's search_path.
CREATE TABLE "event_counts_hourly" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"event_type" text NOT NULL,
	"events" integer NOT NULL,
	CONSTRAINT "event_counts_hourly_pkey" PRIMARY KEY("site_id","hour","is_bot","event_type")
);
--> statement-breakpoint
CREATE TABLE "user_hours" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"user_id" text NOT NULL,
	"events" integer NOT NULL,
	CONSTRAINT "user_hours_pkey" PRIMARY KEY("site_id","hour","is_bot","user_id")
);
