CREATE TABLE `booking_seats` (
	`seat_id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	FOREIGN KEY (`seat_id`) REFERENCES `seats`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `bookings` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`show_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `idempotency_records` (
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`status_code` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `seats` (
	`id` text PRIMARY KEY NOT NULL,
	`show_id` text NOT NULL,
	`label` text NOT NULL,
	`row` text NOT NULL,
	`number` integer NOT NULL,
	`status` text DEFAULT 'AVAILABLE' NOT NULL,
	`hold_owner` text,
	`hold_id` text,
	`hold_expires_at` integer,
	`hold_version` integer DEFAULT 0 NOT NULL,
	`booking_id` text,
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "seats_status_check" CHECK("seats"."status" in ('AVAILABLE', 'HELD', 'BOOKED')),
	CONSTRAINT "seats_held_has_owner" CHECK("seats"."status" <> 'HELD' or ("seats"."hold_owner" is not null and "seats"."hold_expires_at" is not null)),
	CONSTRAINT "seats_booked_has_booking" CHECK("seats"."status" <> 'BOOKED' or "seats"."booking_id" is not null)
);
--> statement-breakpoint
CREATE INDEX `seats_show_idx` ON `seats` (`show_id`,`row`,`number`);--> statement-breakpoint
CREATE INDEX `seats_hold_expiry_idx` ON `seats` (`status`,`hold_expires_at`);--> statement-breakpoint
CREATE TABLE `shows` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`venue` text NOT NULL,
	`starts_at` integer NOT NULL
);
