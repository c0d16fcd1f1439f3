CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"name" text NOT NULL,
	"scopes" text[] NOT NULL,
	"display_prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_secret_hash_format" CHECK ("api_keys"."secret_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" text PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"submission_id" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"duration_seconds" double precision,
	"width" integer,
	"height" integer,
	"content_hash" text NOT NULL,
	"captured_at" timestamp (3) with time zone,
	"captured_at_local" timestamp (3),
	"captured_at_offset_minutes" smallint,
	"ai_star_rating" smallint NOT NULL,
	"device_model" text,
	"device_os" text,
	"app_version" text,
	"worker_region" text,
	"annotations" jsonb,
	"storage_key" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "files_ai_star_rating_range" CHECK ("files"."ai_star_rating" between 1 and 5),
	CONSTRAINT "files_size_bytes_positive" CHECK ("files"."size_bytes" > 0),
	CONSTRAINT "files_content_hash_format" CHECK ("files"."content_hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "files_duration_seconds_positive" CHECK ("files"."duration_seconds" is null or "files"."duration_seconds" > 0),
	CONSTRAINT "files_dimensions_positive" CHECK (("files"."width" is null or "files"."width" > 0) and ("files"."height" is null or "files"."height" > 0)),
	CONSTRAINT "files_captured_at_offset_range" CHECK ("files"."captured_at_offset_minutes" is null or "files"."captured_at_offset_minutes" between -1080 and 1080)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"api_key_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" smallint,
	"response_body" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_api_key_id_key_pk" PRIMARY KEY("api_key_id","key"),
	CONSTRAINT "idempotency_keys_key_length" CHECK (char_length("idempotency_keys"."key") between 1 and 255)
);
--> statement-breakpoint
CREATE TABLE "job_file_counts" (
	"job_id" text NOT NULL,
	"ai_star_rating" smallint NOT NULL,
	"file_count" bigint NOT NULL,
	CONSTRAINT "job_file_counts_job_id_ai_star_rating_pk" PRIMARY KEY("job_id","ai_star_rating")
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "jobs_status_valid" CHECK ("jobs"."status" in ('open', 'completed'))
);
--> statement-breakpoint
CREATE TABLE "keyframes" (
	"file_id" text NOT NULL,
	"index" smallint NOT NULL,
	"timestamp_seconds" double precision NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"storage_key" text NOT NULL,
	CONSTRAINT "keyframes_file_id_index_pk" PRIMARY KEY("file_id","index"),
	CONSTRAINT "keyframes_index_range" CHECK ("keyframes"."index" between 0 and 2),
	CONSTRAINT "keyframes_dimensions_positive" CHECK ("keyframes"."width" > 0 and "keyframes"."height" > 0),
	CONSTRAINT "keyframes_timestamp_nonnegative" CHECK ("keyframes"."timestamp_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_file_counts" ADD CONSTRAINT "job_file_counts_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyframes" ADD CONSTRAINT "keyframes_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_secret_hash_idx" ON "api_keys" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "api_keys_organization_id_idx" ON "api_keys" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "files_job_id_content_hash_idx" ON "files" USING btree ("job_id","content_hash");--> statement-breakpoint
CREATE INDEX "files_job_id_created_at_id_min1_idx" ON "files" USING btree ("job_id","created_at","id") WHERE ai_star_rating >= 1;--> statement-breakpoint
CREATE INDEX "files_job_id_created_at_id_min2_idx" ON "files" USING btree ("job_id","created_at","id") WHERE ai_star_rating >= 2;--> statement-breakpoint
CREATE INDEX "files_job_id_created_at_id_min3_idx" ON "files" USING btree ("job_id","created_at","id") WHERE ai_star_rating >= 3;--> statement-breakpoint
CREATE INDEX "files_job_id_created_at_id_min4_idx" ON "files" USING btree ("job_id","created_at","id") WHERE ai_star_rating >= 4;--> statement-breakpoint
CREATE INDEX "files_job_id_created_at_id_min5_idx" ON "files" USING btree ("job_id","created_at","id") WHERE ai_star_rating >= 5;--> statement-breakpoint
CREATE INDEX "files_organization_id_idx" ON "files" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "jobs_organization_id_created_at_idx" ON "jobs" USING btree ("organization_id","created_at","id");