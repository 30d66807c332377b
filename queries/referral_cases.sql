-- Destination compliance by case (the page's table of cases, and why referrals could not be judged):
-- the assessed referrals (upward, sent by primary care) per case of NMG-2022 §二(五), severity, main
-- problem, expected tier, tier reached, verdict and the blank that stopped the judgement, counted
-- over agg_transfer for the weeks, the area and the page's filters.
-- Grain: one row per combination that occurs; most referrals first.
-- Parameters: $week_from, $week_to, $league_code, $county_code, $consortium, $from_tier, $to_tier,
--   $severities, $statuses (null tiers and empty lists: every one).
with selected as (
    select *
    from referral_selected($week_from, $week_to, $league_code, $county_code, $consortium,
                           $from_tier, $to_tier, $severities, $statuses) s
)
select policy_case, severity, main_problem, expected_tier, to_tier, compliance, unjudged_reason,
       sum(referrals)::bigint as referrals
from selected
where compliance <> 'not_assessed'
group by all
order by referrals desc, policy_case, severity, main_problem, expected_tier, to_tier, compliance, unjudged_reason
