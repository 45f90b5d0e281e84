ALTER TABLE "claims_lag" DROP CONSTRAINT "claims_lag_as_of_payer_key_pk";--> statement-breakpoint
ALTER TABLE "claims_lag" ALTER COLUMN "payer_key" DROP NOT NULL;--> statement-breakpoint
-- The all-payer rows derived before this migration were keyed 'all' (which a payer of that
-- name could not then have, since its imports failed on this very key).
UPDATE "claims_lag" SET "payer_key" = NULL WHERE "payer_key" = 'all';--> statement-breakpoint
ALTER TABLE "claims_lag" ADD CONSTRAINT "claims_lag_as_of_payer_key" UNIQUE NULLS NOT DISTINCT("as_of","payer_key");