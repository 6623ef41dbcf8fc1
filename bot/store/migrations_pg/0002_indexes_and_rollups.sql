-- PostgreSQL version of migrations/0002_indexes_and_rollups.sql: the same
-- indexes and rollup tables. `day` is a DATE (the UTC day of created_at);
-- sums are BIGINT so a busy campaign cannot overflow them.

CREATE INDEX actions_supporter ON actions (supporter, campaign_id)
    WHERE supporter IS NOT NULL;
CREATE INDEX actions_campaign_created ON actions (campaign_id, created_at);
CREATE INDEX official_replies_supporter ON official_replies (supporter)
    WHERE supporter IS NOT NULL;
CREATE INDEX contact_problems_supporter ON contact_problems (supporter)
    WHERE supporter IS NOT NULL;
CREATE INDEX official_replies_created ON official_replies (created_at);
CREATE INDEX contact_problems_created ON contact_problems (created_at);
CREATE INDEX official_replies_open ON official_replies (campaign_id)
    WHERE reviewed_at IS NULL;
CREATE INDEX contact_problems_open ON contact_problems (campaign_id)
    WHERE resolved_at IS NULL;
CREATE INDEX subscriptions_campaign ON subscriptions (campaign_id);

-- One row per campaign, and one under the reserved id '*' for all campaigns.
-- `supporters` counts distinct supporter keys ever seen (it is not lowered by
-- /forget: the forgotten supporter's actions stay in the counts).
CREATE TABLE campaign_totals (
    campaign_id TEXT PRIMARY KEY,
    supporters  BIGINT NOT NULL DEFAULT 0,
    actions     BIGINT NOT NULL DEFAULT 0,
    attempted   BIGINT NOT NULL DEFAULT 0,
    reports     BIGINT NOT NULL DEFAULT 0
);

-- Sums of `count` and number of reports per campaign x UTC day x official x
-- channel x status (see the SQLite migration for why).
CREATE TABLE action_daily (
    campaign_id TEXT NOT NULL,
    day         DATE NOT NULL,
    official_id TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    actions     BIGINT NOT NULL DEFAULT 0,
    reports     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, day, official_id, channel, status)
);
CREATE INDEX action_daily_day ON action_daily (day, status);

INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
SELECT campaign_id,
       COUNT(DISTINCT supporter),
       SUM(CASE WHEN status = 'done' THEN count ELSE 0 END),
       SUM(CASE WHEN status = 'attempted' THEN count ELSE 0 END),
       COUNT(*)
FROM actions GROUP BY campaign_id;

INSERT INTO campaign_totals (campaign_id, supporters, actions, attempted, reports)
SELECT '*',
       COUNT(DISTINCT supporter),
       COALESCE(SUM(CASE WHEN status = 'done' THEN count ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN status = 'attempted' THEN count ELSE 0 END), 0),
       COUNT(*)
FROM actions;

INSERT INTO action_daily (campaign_id, day, official_id, channel, status, actions, reports)
SELECT campaign_id, (created_at AT TIME ZONE 'UTC')::date, official_id, channel, status,
       SUM(count), COUNT(*)
FROM actions
GROUP BY campaign_id, (created_at AT TIME ZONE 'UTC')::date, official_id, channel, status;
