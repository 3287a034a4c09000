-- Analysts, their browser sessions and API tokens for apps/web. FK targets are unqualified: the
-- schema comes from the connection's search_path (drizzle-kit writes "public"; removed by hand).
CREATE TABLE "analyst_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analysts" (
	"username" text PRIMARY KEY NOT NULL,
	"password_hash" text NOT NULL,
	"role" text DEFAULT 'analyst' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "analysts_role_check" CHECK ("analysts"."role" in ('admin', 'analyst'))
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "analyst_sessions" ADD CONSTRAINT "analyst_sessions_username_analysts_username_fk" FOREIGN KEY ("username") REFERENCES "analysts"("username") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_username_analysts_username_fk" FOREIGN KEY ("username") REFERENCES "analysts"("username") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analyst_sessions_expires_idx" ON "analyst_sessions" USING btree ("expires_at");