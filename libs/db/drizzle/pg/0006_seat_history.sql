CREATE TABLE "seat_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"seat_id" text NOT NULL,
	"show_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"cause" text NOT NULL,
	"user_id" text,
	"hold_id" text,
	"booking_id" text
);
--> statement-breakpoint
CREATE INDEX "seat_history_seat_idx" ON "seat_history" USING btree ("seat_id","id");--> statement-breakpoint
CREATE INDEX "seat_history_show_idx" ON "seat_history" USING btree ("show_id");