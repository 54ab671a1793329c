CREATE TABLE "categories" (
	"show_id" text NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"price_amount" integer,
	"price_currency" text,
	"position" integer NOT NULL,
	CONSTRAINT "categories_show_id_key_pk" PRIMARY KEY("show_id","key")
);
--> statement-breakpoint
CREATE TABLE "sections" (
	"show_id" text NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "sections_show_id_key_pk" PRIMARY KEY("show_id","key")
);
--> statement-breakpoint
-- Bookings get one line per seat with its price at booking time; a cancelled line is kept. A
-- seat is in at most one live line (partial unique index below) instead of being the key.
ALTER TABLE "booking_seats" DROP CONSTRAINT "booking_seats_pkey";--> statement-breakpoint
ALTER TABLE "booking_seats" ADD CONSTRAINT "booking_seats_booking_id_seat_id_pk" PRIMARY KEY("booking_id","seat_id");--> statement-breakpoint
ALTER TABLE "booking_seats" ADD COLUMN "label" text;--> statement-breakpoint
UPDATE "booking_seats" SET "label" = "seats"."label" FROM "seats" WHERE "seats"."id" = "booking_seats"."seat_id";--> statement-breakpoint
ALTER TABLE "booking_seats" ALTER COLUMN "label" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "booking_seats" ADD COLUMN "section" text;--> statement-breakpoint
ALTER TABLE "booking_seats" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "booking_seats" ADD COLUMN "price_amount" integer;--> statement-breakpoint
ALTER TABLE "booking_seats" ADD COLUMN "price_currency" text;--> statement-breakpoint
ALTER TABLE "booking_seats" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "seats" ADD COLUMN "section" text;--> statement-breakpoint
ALTER TABLE "seats" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "seats" ADD COLUMN "position" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Shows created before sales windows existed stay on sale until they start, 50 seats per order.
ALTER TABLE "shows" ADD COLUMN "sales_open_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shows" ADD COLUMN "sales_close_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shows" ADD COLUMN "per_order" integer;--> statement-breakpoint
UPDATE "shows" SET "sales_open_at" = timestamptz '1970-01-01T00:00:00Z', "sales_close_at" = "starts_at", "per_order" = 50;--> statement-breakpoint
ALTER TABLE "shows" ALTER COLUMN "sales_open_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "shows" ALTER COLUMN "sales_close_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "shows" ALTER COLUMN "per_order" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "shows" ADD COLUMN "per_customer" integer;--> statement-breakpoint
ALTER TABLE "categories" ADD CONSTRAINT "categories_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "public"."shows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sections" ADD CONSTRAINT "sections_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "public"."shows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "booking_seats_live_seat" ON "booking_seats" USING btree ("seat_id") WHERE "booking_seats"."cancelled_at" is null;--> statement-breakpoint
CREATE INDEX "bookings_user_idx" ON "bookings" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "seats_owner_idx" ON "seats" USING btree ("show_id","hold_owner");