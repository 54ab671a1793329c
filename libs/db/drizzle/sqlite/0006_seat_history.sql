CREATE TABLE `seat_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`seat_id` text NOT NULL,
	`show_id` text NOT NULL,
	`at` integer NOT NULL,
	`status` text NOT NULL,
	`cause` text NOT NULL,
	`user_id` text,
	`hold_id` text,
	`booking_id` text
);
--> statement-breakpoint
CREATE INDEX `seat_history_seat_idx` ON `seat_history` (`seat_id`,`id`);--> statement-breakpoint
CREATE INDEX `seat_history_show_idx` ON `seat_history` (`show_id`);