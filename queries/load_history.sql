-- The load log, newest first, with the first error of rejected files (day: the day a day-grain load reports).
-- Grain: one row per load attempt. Parameters: $limit.
select load_id, loaded_at, user_name, dataset, week, day, file_name, rows, blank_rows, encoding, outcome,
       errors, warnings, replaced_rows, sha256, duration_s, message
from load_log
order by load_id desc
limit $limit
