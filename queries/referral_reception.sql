-- Reception by receiving facility (the page's refusals chart and table, the briefing's chart): per
-- receiver, referrals received, refused, pending, pending too long, upward accepted and of those
-- received within the reception window, counted over agg_transfer for the weeks, the area and the
-- page's filters. in_time_share is blank (unknown) when no upward referral was accepted.
-- Grain: one row per receiving facility. Most refused first, then most pending too long.
-- Parameters: $week_from, $week_to, $league_code, $county_code, $consortium, $from_tier, $to_tier,
--   $severities, $statuses (null tiers and empty lists: every one).
with selected as (
    select *
    from referral_selected($week_from, $week_to, $league_code, $county_code, $consortium,
                           $from_tier, $to_tier, $severities, $statuses) s
),
received as (
    select to_code, to_name, to_tier, to_county_name,
           sum(referrals)::bigint as referrals,
           coalesce(sum(referrals) filter (where status = 'refused'), 0)::bigint as refused,
           coalesce(sum(referrals) filter (where status = 'pending'), 0)::bigint as pending,
           coalesce(sum(referrals) filter (where pending_too_long), 0)::bigint as pending_too_long,
           coalesce(sum(referrals) filter (where received_in_time is not null), 0)::bigint as upward_accepted,
           coalesce(sum(referrals) filter (where received_in_time), 0)::bigint as received_in_time
    from selected
    group by to_code, to_name, to_tier, to_county_name
)
select *,
       refused / referrals as refused_share,
       case when upward_accepted > 0 then received_in_time / upward_accepted end as in_time_share
from received
order by refused desc, pending_too_long desc, to_code nulls first
