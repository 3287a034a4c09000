CREATE TABLE "session_user_hour_sets" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"users" "varbit" NOT NULL,
	CONSTRAINT "session_user_hour_sets_pkey" PRIMARY KEY("site_id","hour","is_bot")
);
--> statement-breakpoint
CREATE TABLE "user_hour_sets" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"users" "varbit" NOT NULL,
	CONSTRAINT "user_hour_sets_pkey" PRIMARY KEY("site_id","hour","is_bot")
);
--> statement-breakpoint
-- Filled here from the hour rows already modelled; the model rebuild writes them from then on.
INSERT INTO "user_hour_sets" (site_id, hour, is_bot, users)
SELECT site_id, hour, is_bot, user_set(array_agg(user_no)) FROM "user_hours" GROUP BY 1, 2, 3;--> statement-breakpoint
INSERT INTO "session_user_hour_sets" (site_id, hour, is_bot, users)
SELECT site_id, hour, is_bot, user_set(array_agg(user_no)) FROM "session_user_hours" GROUP BY 1, 2, 3;
