-- Searches, article views, feedback votes and chatbot turns: the tables the SQLite
-- store has, with 64-bit integers so the shared SQL (src/analytics/sql.rs) reads
-- the same types from both.
CREATE TABLE searches (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    query TEXT NOT NULL,
    normalized TEXT NOT NULL,
    results BIGINT NOT NULL,
    page BIGINT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX searches_at ON searches (at);

CREATE TABLE views (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    entry_id TEXT NOT NULL,
    query TEXT,
    rank BIGINT
);
CREATE INDEX views_at ON views (at);
CREATE INDEX views_query ON views (query);

CREATE TABLE votes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    entry_id TEXT NOT NULL,
    helpful BIGINT NOT NULL CHECK (helpful IN (0, 1)),
    comment TEXT
);
CREATE INDEX votes_entry ON votes (entry_id, at);

CREATE TABLE chat_turns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    user_hash TEXT,
    query TEXT NOT NULL,
    outcome TEXT NOT NULL,
    entry_id TEXT
);
CREATE INDEX chat_turns_at ON chat_turns (at);
