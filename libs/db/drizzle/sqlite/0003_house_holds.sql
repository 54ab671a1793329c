-- House holds: a seat may be BLOCKED (not for sale). A CHECK constraint cannot change in SQLite, so
-- `seats` is rebuilt. Inside the migration's transaction foreign keys cannot be switched off, and
-- dropping `seats` while `booking_seats` refers to it would fail: `booking_seats` is set aside and
-- rebuilt too, its references checked at commit.
PRAGMA defer_foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__new_seats` (
	`id` text PRIMARY KEY NOT NULL,
	`show_id` text NOT NULL,
	`label` text NOT NULL,
	`row` text NOT NULL,
	`number` integer NOT NULL,
	`section` text,
	`category` text,
	`position` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'AVAILABLE' NOT NULL,
	`hold_owner` text,
	`hold_id` text,
	`hold_expires_at` integer,
	`hold_version` integer DEFAULT 0 NOT NULL,
	`booking_id` text,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "seats_status_check" CHECK("__new_seats"."status" in ('AVAILABLE', 'HELD', 'BOOKED', 'BLOCKED')),
	CONSTRAINT "seats_held_has_owner" CHECK("__new_seats"."status" <> 'HELD' or ("__new_seats"."hold_owner" is not null and "__new_seats"."hold_expires_at" is not null)),
	CONSTRAINT "seats_booked_has_booking" CHECK("__new_seats"."status" <> 'BOOKED' or "__new_seats"."booking_id" is not null)
);
--> statement-breakpoint
INSERT INTO `__new_seats`("id", "show_id", "label", "row", "number", "section", "category", "position", "status", "hold_owner", "hold_id", "hold_expires_at", "hold_version", "booking_id") SELECT "id", "show_id", "label", "row", "number", "section", "category", "position", "status", "hold_owner", "hold_id", "hold_expires_at", "hold_version", "booking_id" FROM `seats`;--> statement-breakpoint
CREATE TABLE `__old_booking_seats` AS SELECT * FROM `booking_seats`;--> statement-breakpoint
DROP TABLE `booking_seats`;--> statement-breakpoint
DROP TABLE `seats`;--> statement-breakpoint
ALTER TABLE `__new_seats` RENAME TO `seats`;--> statement-breakpoint
CREATE TABLE `booking_seats` (
	`booking_id` text NOT NULL,
	`seat_id` text NOT NULL,
	`label` text NOT NULL,
	`section` text,
	`category` text,
	`price_amount` integer,
	`price_currency` text,
	`cancelled_at` integer,
	PRIMARY KEY(`booking_id`, `seat_id`),
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`seat_id`) REFERENCES `seats`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
INSERT INTO `booking_seats` SELECT * FROM `__old_booking_seats`;--> statement-breakpoint
DROP TABLE `__old_booking_seats`;--> statement-breakpoint
CREATE UNIQUE INDEX `booking_seats_live_seat` ON `booking_seats` (`seat_id`) WHERE "booking_seats"."cancelled_at" is null;--> statement-breakpoint
CREATE INDEX `seats_show_idx` ON `seats` (`show_id`,`row`,`number`);