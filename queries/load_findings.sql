-- The errors and warnings recorded for one load attempt, in file order.
-- Grain: one row per recorded finding (up to 20 examples per column and check). Parameters: $load_id.
select severity, row_no, column_name, code, value, message_zh, message_en, occurrences
from load_issue
where load_id = $load_id
order by severity, row_no nulls first, column_name
