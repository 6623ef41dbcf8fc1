-- Placeholder on the `signup` branch for the languages branch's migration 0008
-- (the numbering must have no gaps). The lead drops this file when merging.
SELECT 1;
