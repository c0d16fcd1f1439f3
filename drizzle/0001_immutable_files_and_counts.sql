-- Files and keyframes are immutable records: reject every UPDATE in the database itself,
-- so no code path (or hand-written SQL) can change a file after buyers have seen it.
CREATE FUNCTION reject_immutable_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'rows of table "%" are immutable: UPDATE is not allowed; ingest the content again as a new file instead', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER files_reject_update BEFORE UPDATE ON files
  FOR EACH ROW EXECUTE FUNCTION reject_immutable_update();
--> statement-breakpoint
CREATE TRIGGER keyframes_reject_update BEFORE UPDATE ON keyframes
  FOR EACH ROW EXECUTE FUNCTION reject_immutable_update();
--> statement-breakpoint
-- Keep job_file_counts in step with files, so totalCount never scans a job's files.
CREATE FUNCTION count_job_files() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO job_file_counts (job_id, ai_star_rating, file_count)
      VALUES (NEW.job_id, NEW.ai_star_rating, 1)
      ON CONFLICT (job_id, ai_star_rating) DO UPDATE SET file_count = job_file_counts.file_count + 1;
    RETURN NEW;
  END IF;
  UPDATE job_file_counts SET file_count = file_count - 1
    WHERE job_id = OLD.job_id AND ai_star_rating = OLD.ai_star_rating;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER files_count_per_job AFTER INSERT OR DELETE ON files
  FOR EACH ROW EXECUTE FUNCTION count_job_files();
