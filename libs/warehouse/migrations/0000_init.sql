CREATE TABLE "consumer_offsets" (
	"group_id" text NOT NULL,
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_offsets_pkey" PRIMARY KEY("group_id","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "etl_objects" (
	"key" text PRIMARY KEY NOT NULL,
	"etag" text NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "etl_rejects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"object_key" text NOT NULL,
	"line_number" integer NOT NULL,
	"reason" text NOT NULL,
	"line" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "etl_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"status" text DEFAULT 'running' NOT NULL,
	"objects" integer DEFAULT 0 NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"rejects" integer DEFAULT 0 NOT NULL,
	"error" text,
	CONSTRAINT "etl_runs_status_check" CHECK ("etl_runs"."status" in ('running', 'succeeded', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"site_id" text NOT NULL,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"event_name" text,
	"user_id" text NOT NULL,
	"session_id" text NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"page_url" text,
	"page_path" text,
	"page_title" text,
	"referrer" text,
	"button_id" text,
	"scroll_depth" smallint,
	"order_id" text,
	"order_amount" numeric(14, 2),
	"currency" text,
	"payment_method" text,
	"browser" text,
	"os" text,
	"device_type" text,
	"is_bot" boolean DEFAULT false NOT NULL,
	"country" text,
	"city" text,
	"referrer_domain" text,
	"utm_source" text,
	"utm_medium" text,
	"utm_campaign" text,
	"utm_term" text,
	"utm_content" text,
	"payload" jsonb NOT NULL,
	CONSTRAINT "events_pkey" PRIMARY KEY("site_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "user_minute_counts" (
	"site_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"user_id" text NOT NULL,
	"event_type" text NOT NULL,
	"event_count" bigint NOT NULL,
	CONSTRAINT "user_minute_counts_pkey" PRIMARY KEY("site_id","minute","user_id","event_type")
);
--> statement-breakpoint
CREATE INDEX "events_site_time_idx" ON "events" USING btree ("site_id","event_time");--> statement-breakpoint
CREATE INDEX "events_site_session_time_idx" ON "events" USING btree ("site_id","session_id","event_time");--> statement-breakpoint
CREATE INDEX "user_minute_counts_site_minute_idx" ON "user_minute_counts" USING btree ("site_id","minute");