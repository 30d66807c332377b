-- Referrals between tiers (the page's Sankey, the tier-pair filter's choices, the briefing's chart),
-- counted over agg_transfer for the weeks, the area and the page's filters. A referral with a blank
-- tier at either end has no pair and is left out.
-- Grain: one row per (from tier, to tier) that occurs.
-- Parameters: $week_from, $week_to, $league_code, $county_code, $consortium, $from_tier, $to_tier,
--   $severities, $statuses (null tiers and empty lists: every one).
with selected as (
    select *
    from referral_selected($week_from, $week_to, $league_code, $county_code, $consortium,
                           $from_tier, $to_tier, $severities, $statuses) s
)
select from_tier, to_tier, sum(referrals)::bigint as referrals
from selected
where from_tier is not null and to_tier is not null
group by from_tier, to_tier
order by from_tier, to_tier
