-- For a vote under a chatbot answer (도움이 됐어요 / 아쉬워요), the question the
-- answer was given for; NULL for a vote on an article page.
ALTER TABLE votes ADD COLUMN question TEXT;
