-- The entry a search showed as its one answer (가장 알맞은 답변); NULL when it
-- showed none, or was recorded before the answer box existed.
ALTER TABLE searches ADD COLUMN answer_id TEXT;
