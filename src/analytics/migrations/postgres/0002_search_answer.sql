-- The entry a search showed as its one answer (가장 알맞은 답변); NULL when it
-- showed none, or was recorded before the answer box existed.
ALTER TABLE searches ADD COLUMN answer_id TEXT;

-- Indexes holding every column the report and the most viewed list read, so
-- that they can read the indexes alone; they replace the single-column ones
-- (no more indexes to write per event).
CREATE INDEX searches_report ON searches (at, page, normalized, results, answer_id);
DROP INDEX searches_at;
CREATE INDEX views_report ON views (query, at, entry_id);
DROP INDEX views_query;
CREATE INDEX views_at_entry ON views (at, entry_id);
DROP INDEX views_at;

-- A customer's chatbot turns, for deleting them when they ask.
CREATE INDEX chat_turns_user ON chat_turns (user_hash);
