-- The category filter a search was run within (NULL: none, or recorded
-- before), so that a search that found nothing in an empty or unknown
-- category is told apart in the report.
ALTER TABLE searches ADD COLUMN category TEXT;
