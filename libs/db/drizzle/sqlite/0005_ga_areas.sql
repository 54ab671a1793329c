-- General-admission areas: a section with a capacity is a standing area of that many places.
ALTER TABLE `sections` ADD `capacity` integer;--> statement-breakpoint
ALTER TABLE `sections` ADD `category` text;