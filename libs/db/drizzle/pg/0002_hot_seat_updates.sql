-- Seat updates become heap-only (HOT): no index of `seats` covers a column that holds, releases,
-- expiries or bookings change. Lapsed holds are found through `hold_expiries` instead.
CREATE TABLE "hold_expiries" (
	"seat_id" text NOT NULL,
	"show_id" text NOT NULL,
	"owner" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "seats_hold_expiry_idx";--> statement-breakpoint
DROP INDEX "seats_owner_idx";--> statement-breakpoint
CREATE INDEX "hold_expiries_due_idx" ON "hold_expiries" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "hold_expiries_owner_idx" ON "hold_expiries" USING btree ("show_id","owner");--> statement-breakpoint
-- Holds taken before this release keep being found by the sweeper.
INSERT INTO "hold_expiries" ("seat_id", "show_id", "owner", "expires_at") SELECT "id", "show_id", "hold_owner", "hold_expires_at" FROM "seats" WHERE "status" = 'HELD';--> statement-breakpoint
-- Room on every page for the new row versions of heap-only (HOT) updates (applies to pages written from now on).
ALTER TABLE "seats" SET (fillfactor = 80);
