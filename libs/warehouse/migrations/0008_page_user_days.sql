-- Sets of users as bit strings (bit n set: user number n is in the set), for distinct users over
-- whole days without counting rows: user_set builds one from distinct user numbers, user_set_or
-- and the aggregate user_set_union join them (padding the shorter with zeros), bit_count counts.
-- user_set writes the string as text ('0'/'1' runs between members) and casts it once, so it is
-- linear in the set's length.
CREATE FUNCTION user_set(members integer[]) RETURNS varbit
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(repeat('0', n - p - 1) || '1', '' ORDER BY n), '')::varbit
  FROM (SELECT n, lag(n, 1, -1) OVER (ORDER BY n) AS p FROM (SELECT DISTINCT n FROM unnest(members) n WHERE n >= 0) d) s
$$;--> statement-breakpoint
CREATE FUNCTION user_set_or(a varbit, b varbit) RETURNS varbit
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN length(a) >= length(b) THEN a | (b || repeat('0', length(a) - length(b))::varbit)
              ELSE (a || repeat('0', length(b) - length(a))::varbit) | b END
$$;--> statement-breakpoint
CREATE AGGREGATE user_set_union(varbit) (SFUNC = user_set_or, STYPE = varbit, COMBINEFUNC = user_set_or, PARALLEL = SAFE);--> statement-breakpoint
CREATE TABLE "page_user_days" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"is_bot" boolean NOT NULL,
	"path" text NOT NULL,
	"users" "varbit" NOT NULL,
	CONSTRAINT "page_user_days_pkey" PRIMARY KEY("site_id","day","is_bot","path")
);--> statement-breakpoint
-- Filled here from the hour rows already modelled; the model rebuild writes it from then on.
INSERT INTO "page_user_days" (site_id, day, is_bot, path, users)
SELECT site_id, (hour AT TIME ZONE 'UTC')::date, is_bot, path, user_set(array_agg(user_no))
FROM "page_user_hours"
GROUP BY 1, 2, 3, 4;
