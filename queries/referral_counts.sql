-- The classified referrals of the weeks chosen, counted: what the referral page, the overview and the
-- briefing read. The classification is queries/referral_classified.sql's, stored at load time in
-- agg_transfer (dashboard/store/transfer_aggregate.py: that query run for the whole province and
-- grouped), so this reads a few thousand rows however many transfers a week holds. A referral is in
-- the area when either end is, as in referral_classified.sql.
-- Grain: one row per week and combination of sender, receiver, direction, severity, main problem,
--   status, policy case, expected tier, verdict, blank that stopped the judgement, and reception flags;
--   `referrals` counts the referrals it stands for.
-- Parameters: $week_from, $week_to, $league_code, $county_code, $consortium.
with area as (
    select facility_code
    from area_facilities($league_code, $county_code, $consortium) f
)
select a.*
from agg_transfer a
where a.week between $week_from and $week_to
  and (a.from_code in (select facility_code from area) or a.to_code in (select facility_code from area))
-- no order by: every consumer groups and sorts (sorting 161,293 rows took 2-3x the read at 1.6M transfers)
