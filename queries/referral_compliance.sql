-- Destination compliance per sender (the page's chart by sending facility or consortium, and the
-- overview's worst senders): of the assessed referrals (upward, sent by primary care), how many of
-- each verdict, how many could be judged, and the share of the judged that went where the policy
-- sends them (blank when none could be judged: unknown, never 0%). 'cannot_judge' is in neither the
-- numerator nor the denominator. Counted over agg_transfer for the weeks, the area and the filters.
-- Grain: one row per group: $by = 'from_code' (a sending facility), 'from_name' (sending facilities
--   by name, as the page lists them) or 'from_consortium'; lowest rate first, blank rates last.
-- Parameters: $by, $week_from, $week_to, $league_code, $county_code, $consortium, $from_tier, $to_tier,
--   $severities, $statuses (null tiers and empty lists: every one).
with selected as (
    select *
    from referral_selected($week_from, $week_to, $league_code, $county_code, $consortium,
                           $from_tier, $to_tier, $severities, $statuses) s
),
grouped as (
    select case $by when 'from_code' then from_code when 'from_name' then from_name
                    when 'from_consortium' then from_consortium end as grp,
           -- a sending facility's name and place (one per code; the overview names and links them)
           any_value(from_name) as from_name, any_value(from_league) as from_league,
           any_value(from_county) as from_county,
           sum(referrals)::bigint as assessed,
           coalesce(sum(referrals) filter (where compliance = 'as_expected'), 0)::bigint as as_expected,
           coalesce(sum(referrals) filter (where compliance = 'other_consortium'), 0)::bigint as other_consortium,
           coalesce(sum(referrals) filter (where compliance = 'above'), 0)::bigint as above,
           coalesce(sum(referrals) filter (where compliance = 'below'), 0)::bigint as below,
           coalesce(sum(referrals) filter (where compliance = 'should_stay_home'), 0)::bigint as should_stay_home,
           coalesce(sum(referrals) filter (where compliance = 'cannot_judge'), 0)::bigint as cannot_judge
    from selected
    where compliance <> 'not_assessed'
    group by grp
)
select *, assessed - cannot_judge as judged,
       case when assessed - cannot_judge > 0 then as_expected / (assessed - cannot_judge) end as compliance_rate
from grouped
order by compliance_rate nulls last, judged desc, grp nulls first
