CREATE TABLE `categories` (
	`show_id` text NOT NULL,
	`key` text NOT NULL,
	`label` text NOT NULL,
	`price_amount` integer,
	`price_currency` text,
	`position` integer NOT NULL,
	PRIMARY KEY(`show_id`, `key`),
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sections` (
	`show_id` text NOT NULL,
	`key` text NOT NULL,
	`label` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`show_id`, `key`),
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_booking_seats` (
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
);
--> statement-breakpoint
-- Bookings get one line per seat with its price at booking time; a cancelled line is kept.
INSERT INTO `__new_booking_seats`("booking_id", "seat_id", "label") SELECT "booking_seats"."booking_id", "booking_seats"."seat_id", "seats"."label" FROM `booking_seats` JOIN `seats` ON `seats`.`id` = `booking_seats`.`seat_id`;--> statement-breakpoint
DROP TABLE `booking_seats`;--> statement-breakpoint
ALTER TABLE `__new_booking_seats` RENAME TO `booking_seats`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `booking_seats_live_seat` ON `booking_seats` (`seat_id`) WHERE "booking_seats"."cancelled_at" is null;--> statement-breakpoint
ALTER TABLE `seats` ADD `section` text;--> statement-breakpoint
ALTER TABLE `seats` ADD `category` text;--> statement-breakpoint
ALTER TABLE `seats` ADD `position` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `seats_owner_idx` ON `seats` (`show_id`,`hold_owner`);--> statement-breakpoint
-- Shows created before sales windows existed stay on sale until they start, 50 seats per order.
-- (SQLite adds a NOT NULL column only with a default; the service always sets all three.)
ALTER TABLE `shows` ADD `sales_open_at` integer NOT NULL DEFAULT 0;--> statement-breakpoint
ALTER TABLE `shows` ADD `sales_close_at` integer NOT NULL DEFAULT 0;--> statement-breakpoint
ALTER TABLE `shows` ADD `per_order` integer NOT NULL DEFAULT 50;--> statement-breakpoint
UPDATE `shows` SET `sales_close_at` = `starts_at`;--> statement-breakpoint
ALTER TABLE `shows` ADD `per_customer` integer;--> statement-breakpoint
CREATE INDEX `bookings_user_idx` ON `bookings` (`user_id`,`created_at`);