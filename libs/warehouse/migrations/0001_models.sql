CREATE TABLE "click_through_daily" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"path" text NOT NULL,
	"button_id" text NOT NULL,
	"clicks" integer NOT NULL,
	"page_views" integer NOT NULL,
	"ctr" numeric(12, 2),
	CONSTRAINT "click_through_daily_pkey" PRIMARY KEY("site_id","hour","is_bot","path","button_id")
);
--> statement-breakpoint
CREATE TABLE "dim_date" (
	"date" date PRIMARY KEY NOT NULL,
	"year" smallint NOT NULL,
	"quarter" smallint NOT NULL,
	"month" smallint NOT NULL,
	"day" smallint NOT NULL,
	"day_of_week" smallint NOT NULL,
	"iso_week" smallint NOT NULL,
	"iso_year" smallint NOT NULL,
	"is_weekend" boolean NOT NULL,
	"month_name" text NOT NULL,
	"day_name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_items" (
	"site_id" text NOT NULL,
	"order_id" text NOT NULL,
	"is_bot" boolean NOT NULL,
	"line" integer NOT NULL,
	"ordered_at" timestamp with time zone NOT NULL,
	"product_id" text NOT NULL,
	"name" text,
	"category" text,
	"price" numeric NOT NULL,
	"quantity" bigint NOT NULL,
	"revenue" numeric NOT NULL,
	CONSTRAINT "order_items_pkey" PRIMARY KEY("site_id","order_id","is_bot","line")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"site_id" text NOT NULL,
	"order_id" text NOT NULL,
	"is_bot" boolean NOT NULL,
	"event_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"session_id" text NOT NULL,
	"ordered_at" timestamp with time zone NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	"currency" text NOT NULL,
	"payment_method" text,
	"items" integer NOT NULL,
	CONSTRAINT "orders_pkey" PRIMARY KEY("site_id","order_id","is_bot")
);
--> statement-breakpoint
CREATE TABLE "page_engagement_daily" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"path" text NOT NULL,
	"page_views" integer NOT NULL,
	"time_on_page_seconds_sum" double precision NOT NULL,
	"time_on_page_count" integer NOT NULL,
	"scroll_depth_sum" bigint NOT NULL,
	"scroll_depth_count" integer NOT NULL,
	"exits" integer NOT NULL,
	CONSTRAINT "page_engagement_daily_pkey" PRIMARY KEY("site_id","hour","is_bot","path")
);
--> statement-breakpoint
CREATE TABLE "page_views" (
	"site_id" text NOT NULL,
	"event_id" uuid NOT NULL,
	"session_id" text NOT NULL,
	"is_bot" boolean NOT NULL,
	"user_id" text NOT NULL,
	"viewed_at" timestamp with time zone NOT NULL,
	"path" text,
	"time_on_page_seconds" double precision,
	"scroll_depth" smallint,
	"is_exit" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"site_id" text NOT NULL,
	"product_id" text NOT NULL,
	"is_bot" boolean NOT NULL,
	"name" text,
	"category" text,
	"last_price" numeric NOT NULL,
	"first_ordered_at" timestamp with time zone NOT NULL,
	"last_ordered_at" timestamp with time zone NOT NULL,
	"orders" integer NOT NULL,
	"quantity" bigint NOT NULL,
	"revenue" numeric NOT NULL,
	CONSTRAINT "products_pkey" PRIMARY KEY("site_id","product_id","is_bot")
);
--> statement-breakpoint
CREATE TABLE "revenue_daily" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"currency" text NOT NULL,
	"orders" integer NOT NULL,
	"revenue" numeric NOT NULL,
	"items_sold" bigint NOT NULL,
	CONSTRAINT "revenue_daily_pkey" PRIMARY KEY("site_id","hour","is_bot","currency")
);
--> statement-breakpoint
CREATE TABLE "scroll_depth_daily" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"path" text NOT NULL,
	"scroll_events" integer NOT NULL,
	"scroll_depth_sum" bigint NOT NULL,
	"max_scroll_depth" smallint NOT NULL,
	"reached_25" integer NOT NULL,
	"reached_50" integer NOT NULL,
	"reached_75" integer NOT NULL,
	"reached_100" integer NOT NULL,
	CONSTRAINT "scroll_depth_daily_pkey" PRIMARY KEY("site_id","hour","is_bot","path")
);
--> statement-breakpoint
CREATE TABLE "session_metrics_daily" (
	"site_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"is_bot" boolean NOT NULL,
	"sessions" integer NOT NULL,
	"bounces" integer NOT NULL,
	"duration_seconds_sum" double precision NOT NULL,
	"page_views_sum" integer NOT NULL,
	CONSTRAINT "session_metrics_daily_pkey" PRIMARY KEY("site_id","hour","is_bot")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"site_id" text NOT NULL,
	"session_id" text NOT NULL,
	"is_bot" boolean NOT NULL,
	"user_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"duration_seconds" double precision NOT NULL,
	"events" integer NOT NULL,
	"page_views" integer NOT NULL,
	"clicks" integer NOT NULL,
	"purchases" integer NOT NULL,
	"is_bounce" boolean NOT NULL,
	"entry_path" text,
	"exit_path" text,
	"country" text,
	"device_type" text,
	"browser" text,
	"os" text,
	"referrer_domain" text,
	"utm_source" text,
	CONSTRAINT "sessions_pkey" PRIMARY KEY("site_id","session_id","is_bot")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"site_id" text NOT NULL,
	"user_id" text NOT NULL,
	"is_bot" boolean NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"sessions" integer NOT NULL,
	"events" integer NOT NULL,
	"country" text,
	"device_type" text,
	CONSTRAINT "users_pkey" PRIMARY KEY("site_id","user_id","is_bot")
);
--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "is_bot" SET DEFAULT false;--> statement-breakpoint
CREATE INDEX "order_items_site_ordered_idx" ON "order_items" USING btree ("site_id","ordered_at");--> statement-breakpoint
CREATE INDEX "order_items_site_product_idx" ON "order_items" USING btree ("site_id","product_id");--> statement-breakpoint
CREATE INDEX "orders_site_ordered_idx" ON "orders" USING btree ("site_id","ordered_at");--> statement-breakpoint
CREATE INDEX "page_views_site_viewed_idx" ON "page_views" USING btree ("site_id","viewed_at");--> statement-breakpoint
CREATE INDEX "page_views_site_session_idx" ON "page_views" USING btree ("site_id","session_id");--> statement-breakpoint
CREATE INDEX "sessions_site_started_idx" ON "sessions" USING btree ("site_id","started_at");--> statement-breakpoint
CREATE INDEX "sessions_site_user_idx" ON "sessions" USING btree ("site_id","user_id");--> statement-breakpoint
CREATE INDEX "events_site_order_idx" ON "events" USING btree ("site_id","order_id") WHERE "events"."order_id" is not null;