-- The referral page's headline counts, the overview's referral headline and the briefing's: counted in
-- the database over agg_transfer for the weeks, the area and the page's filters (one row whatever
-- the number of transfers). dashboard/metrics/referrals.indicators turns them into shares.
-- Grain: one row. A count is of referrals where its condition holds (a blank condition counts as not).
-- Parameters: $week_from, $week_to, $league_code, $county_code, $consortium, $from_tier, $to_tier,
--   $severities, $statuses (null tiers and empty lists: every one).
with selected as (
    select *
    from referral_selected($week_from, $week_to, $league_code, $county_code, $consortium,
                           $from_tier, $to_tier, $severities, $statuses) s
)
select coalesce(sum(referrals), 0)::bigint as referrals,
       coalesce(sum(referrals) filter (where direction = 'up' and from_tier = 'primary'), 0)::bigint as up_primary,
       coalesce(sum(referrals) filter (where direction = 'up'), 0)::bigint as up,
       coalesce(sum(referrals) filter (where direction = 'down'), 0)::bigint as down,
       coalesce(sum(referrals) filter (where direction = 'lateral'), 0)::bigint as lateral,
       -- upward referrals accepted have a reception verdict (true or false); the others have none
       coalesce(sum(referrals) filter (where received_in_time is not null), 0)::bigint as accepted_up,
       coalesce(sum(referrals) filter (where received_in_time), 0)::bigint as in_time,
       coalesce(sum(referrals) filter (where compliance in ('as_expected', 'other_consortium', 'above', 'below',
                                                           'should_stay_home')), 0)::bigint as judged,
       coalesce(sum(referrals) filter (where compliance = 'as_expected'), 0)::bigint as as_expected,
       coalesce(sum(referrals) filter (where status = 'refused'), 0)::bigint as refused,
       coalesce(sum(referrals) filter (where pending_too_long), 0)::bigint as pending_too_long,
       coalesce(sum(referrals) filter (where compliance = 'cannot_judge'), 0)::bigint as cannot_judge,
       coalesce(sum(referrals) filter (where direction_disagrees), 0)::bigint as direction_disagrees
from selected
