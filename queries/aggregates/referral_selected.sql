-- Building block: the counted referrals of agg_transfer (dashboard/store/transfer_aggregate.py) that
-- the referral views read, for the weeks, the area and the referral page's filters. Every referral
-- query calls this table macro instead of copying the filter:
--   from referral_selected($week_from, $week_to, $league_code, $county_code, $consortium,
--                          $from_tier, $to_tier, $severities, $statuses) s
-- A referral is in the area when either end is (as in referral_classified.sql). A null tier means
-- every tier; an empty list of severities or statuses means every one (a blank severity or status is
-- then kept; a list never matches a blank).
-- Defined with the aggregate it reads (transfer_aggregate.ensure), not with queries/shared/: DuckDB
-- binds a table macro's tables when it is created.
-- Grain: one row of agg_transfer (a week and a combination of what the pages count; `referrals`
-- says how many referrals it stands for).
create or replace macro referral_selected(p_week_from, p_week_to, p_league_code, p_county_code, p_consortium,
                                          p_from_tier, p_to_tier, p_severities, p_statuses) as table
select a.*
from agg_transfer a
where a.week between p_week_from and p_week_to
  and (a.from_code in (select facility_code from area_facilities(p_league_code, p_county_code, p_consortium))
       or a.to_code in (select facility_code from area_facilities(p_league_code, p_county_code, p_consortium)))
  and (p_from_tier::varchar is null or a.from_tier = p_from_tier::varchar)
  and (p_to_tier::varchar is null or a.to_tier = p_to_tier::varchar)
  and (coalesce(len(p_severities::varchar[]), 0) = 0 or list_contains(p_severities::varchar[], a.severity))
  and (coalesce(len(p_statuses::varchar[]), 0) = 0 or list_contains(p_statuses::varchar[], a.status));
