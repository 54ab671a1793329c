PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_outbox_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`payload` text,
	`booking_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_outbox_messages`("id", "type", "payload", "booking_id", "created_at") SELECT "id", "type", "payload", NULL, "created_at" FROM `outbox_messages`;--> statement-breakpoint
DROP TABLE `outbox_messages`;--> statement-breakpoint
ALTER TABLE `__new_outbox_messages` RENAME TO `outbox_messages`;--> statement-breakpoint
PRAGMA foreign_keys=ON;