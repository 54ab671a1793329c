-- General-admission areas: a section with a capacity is a standing area of that many places.
ALTER TABLE "sections" ADD COLUMN "capacity" integer;--> statement-breakpoint
ALTER TABLE "sections" ADD COLUMN "category" text;