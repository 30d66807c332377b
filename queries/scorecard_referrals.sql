-- Upward and downward referrals per consortium, for the scorecard's two-way referral indicator: an
-- upward referral counts for its sender's consortium, a downward one for its receiver's; lateral ones
-- and referrals of no consortium are left out. The week's referrals of the whole region (a consortium
-- is scored whole, wherever its members are), as queries/referral_classified.sql classifies them,
-- read counted from agg_transfer (dashboard/store/transfer_aggregate.py).
-- Grain: one row per consortium with an upward or downward referral in $week. Parameters: $week.
-- A consortium with no referral of one direction has 0 of it: no referral was logged (the transfer
-- log lists every referral made), which is a count, not a blank.
with selected as (
    select *
    from referral_selected($week, $week, null, null, null, null, null, [], [])
),
ups as (
    select from_consortium as consortium, sum(referrals) as up,
           coalesce(sum(referrals) filter (where from_tier = 'primary'), 0) as up_primary
    from selected
    where direction = 'up'
    group by all
),
downs as (
    select to_consortium as consortium, sum(referrals) as down
    from selected
    where direction = 'down'
    group by all
)
select consortium,
       coalesce(u.up, 0)::bigint as up,
       coalesce(d.down, 0)::bigint as down,
       coalesce(u.up_primary, 0)::bigint as up_primary
from ups u
full join downs d using (consortium)
where consortium is not null
order by consortium
