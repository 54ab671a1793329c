CREATE TABLE `outbox_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE `webhook_deliveries` (
	`message_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`message_created_at` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_response_status` integer,
	`next_attempt_at` integer,
	`claimed_until` integer,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	PRIMARY KEY(`message_id`, `endpoint_id`)
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_idx` ON `webhook_deliveries` (`endpoint_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret` text NOT NULL,
	`enabled` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
