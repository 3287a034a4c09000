CREATE TABLE "dimension_user_days" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"is_bot" boolean NOT NULL,
	"dimension" text NOT NULL,
	"value" text NOT NULL,
	"users" "varbit" NOT NULL,
	CONSTRAINT "dimension_user_days_pkey" PRIMARY KEY("site_id","dimension","day","is_bot","value")
);
--> statement-breakpoint
-- Filled here from the hour rows already modelled; the model rebuild writes it from then on.
INSERT INTO "dimension_user_days" (site_id, day, is_bot, dimension, value, users)
SELECT g.site_id, g.day, g.is_bot, d.dimension, d.value, user_set(array_agg(g.user_no))
FROM (SELECT site_id, (hour AT TIME ZONE 'UTC')::date AS day, is_bot, user_no, country, device_type, browser, os, referrer_domain, utm_source
      FROM "dimension_user_hours") g
CROSS JOIN LATERAL (VALUES ('country', g.country), ('device_type', g.device_type), ('browser', g.browser), ('os', g.os),
                           ('referrer_domain', g.referrer_domain), ('utm_source', g.utm_source)) AS d(dimension, value)
GROUP BY 1, 2, 3, 4, 5;
