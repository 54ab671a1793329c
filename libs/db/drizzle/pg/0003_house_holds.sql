-- House holds: a seat may be BLOCKED (not for sale).
ALTER TABLE "seats" DROP CONSTRAINT "seats_status_check";--> statement-breakpoint
ALTER TABLE "seats" ADD CONSTRAINT "seats_status_check" CHECK ("seats"."status" in ('AVAILABLE', 'HELD', 'BOOKED', 'BLOCKED'));