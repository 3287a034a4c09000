-- users.user_no: each user's number (user_numbers), so retention's cohorts are read from
-- users_site_first_seen_idx alone and become sets without joining user_numbers. Filled here for the
-- users already modelled (every one has a number: the rebuild gives them before writing users).
DROP INDEX "users_site_first_seen_idx";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "user_no" integer;--> statement-breakpoint
UPDATE "users" u SET "user_no" = n.user_no FROM "user_numbers" n WHERE n.site_id = u.site_id AND n.user_id = u.user_id;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "user_no" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "users_site_first_seen_idx" ON "users" USING btree ("site_id","first_seen","is_bot","user_no");
