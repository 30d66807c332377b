-- Discharged-patient follow-up (DIS-2020 §二(二), (四)), patient by week.
-- Grain: one row per (discharged patient of the area, by record number; week with any discharge
-- register loaded up to $week, from the patient's first listed week until the week their three
-- months end). The patient's columns are what their newest row up to $week says: facts recorded late
-- (a release date, a test result) count for the earlier weeks too.
-- Parameters: $week, $league_code, $county_code, $consortium, $discharge_observation_days,
-- $discharge_first_test_day, $discharge_second_test_day, $discharge_signing_within_days,
-- $discharge_followup_months, $discharge_older_from_age, $discharge_severe_per_week,
-- $discharge_standard_per_week, $discharge_mild_every_weeks.
-- How the text is read (each choice is stated on the page too):
-- * Observation: day n = discharge date + n. Tests are due on days $discharge_first_test_day and
--   $discharge_second_test_day; a test whose day has passed by the week's Sunday and has no result is
--   missing. A release before discharge + $discharge_observation_days is early.
-- * Category: severe or critical (most severe type) -> $discharge_severe_per_week a week; else ordinary, chronic disease or
--   age >= $discharge_older_from_age ("60 岁以上" includes 60) -> weekly; else asymptomatic/mild, no
--   chronic disease and younger -> once per $discharge_mild_every_weeks weeks. The most frequent
--   category a patient fits wins. An input that could change the answer left blank: null (cannot be judged).
-- * Window: from the release date to discharge + $discharge_followup_months months (that day is out).
--   Only Monday-Sunday weeks wholly in the window owe contacts; a span of several weeks is owed at its
--   last week, counted from the first whole week; a span the window cuts short owes nothing.
-- * Signing and file: both dated no later than release + $discharge_signing_within_days days.
-- Outputs: category severe | weekly | biweekly | null; test_status positive | missing | negative |
-- pending; signing_status on_time | late | blank (deadline passed, no date) | not_due | no_release;
-- week_status observation | no_release | partial | no_category | not_due | met | short, or, where the
-- contacts could change the answer, not_reported (not on the week's list) | unknown (blank count).
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
listed as (
    select *
    from discharge
    where week <= $week
),
weeks as (
    select distinct week
    from listed
),
latest as (
    -- what is known of each patient at the end of $week: their newest row
    select *
    from listed
    qualify row_number() over (partition by record_no order by week desc) = 1
),
patients as (
    select l.record_no, l.id_masked, l.facility_code, a.facility_name, a.league_code, a.league_name,
           a.county_code, a.county_name, a.consortium, d.must_report,
           l.discharge_date, l.release_date, l.test_day7, l.test_day14, l.age, l.clinical_type,
           l.chronic_disease, l.signed_date, l.file_date,
           (l.discharge_date + to_months($discharge_followup_months))::date as window_end,
           l.discharge_date + $discharge_observation_days::integer as observation_end,
           l.release_date + $discharge_signing_within_days::integer as signing_deadline,
           -- the first Monday on or after the release: the first whole week in the window
           l.release_date + ((8 - isodow(l.release_date)) % 7)::integer as first_whole_week,
           case
               when l.clinical_type in ('severe', 'critical') then 'severe'
               when l.clinical_type is null then null
               when l.clinical_type = 'ordinary' or l.chronic_disease or l.age >= $discharge_older_from_age then 'weekly'
               when not l.chronic_disease and l.age < $discharge_older_from_age then 'biweekly'
           end as category,
           (select min(week) from listed x where x.record_no = l.record_no) as first_listed
    from latest l
    join area a on a.facility_code = l.facility_code
    left join reporting_duty d on d.dataset = 'discharge' and d.facility_code = l.facility_code
),
judged as (
    select *,
           case category when 'severe' then $discharge_severe_per_week
                         when 'weekly' then $discharge_standard_per_week
                         when 'biweekly' then 1 end as owed_per_span,
           case category when 'biweekly' then $discharge_mild_every_weeks else 1 end as span_weeks,
           case
               when test_day7 = 'positive' or test_day14 = 'positive' then 'positive'
               when (test_day7 is null and $week::date + 6 >= discharge_date + $discharge_first_test_day::integer)
                 or (test_day14 is null and $week::date + 6 >= discharge_date + $discharge_second_test_day::integer) then 'missing'
               when test_day7 = 'negative' and test_day14 = 'negative' then 'negative'
               else 'pending'
           end as test_status,
           release_date < observation_end as released_early,
           case
               when release_date is null and $week::date + 6 < observation_end then 'not_due'
               when release_date is null then 'no_release'
               when signed_date > signing_deadline or file_date > signing_deadline then 'late'
               when signed_date is not null and file_date is not null then 'on_time'
               when $week::date + 6 <= signing_deadline then 'not_due'
               else 'blank'
           end as signing_status
    from patients
),
patient_weeks as (
    select p.*, w.week,
           r.record_no is not null as listed_this_week,
           r.contacts_week,
           p.release_date is not null and w.week >= p.first_whole_week and w.week + 7 <= p.window_end as whole_week,
           (w.week - p.first_whole_week) // 7 as week_no
    from judged p
    join weeks w on w.week >= p.first_listed and w.week < p.window_end
    left join listed r on r.record_no = p.record_no and r.week = w.week
),
spans as (
    select *,
           week_no // span_weeks as span_no,
           whole_week and (week_no + 1) % span_weeks = 0 as span_ends
    from patient_weeks
),
counted as (
    select *,
           -- contacts made in the span so far, and its weeks with no known count (not listed, or blank);
           -- a week not wholly in the window is in no span
           case when whole_week then (sum(contacts_week) over span)::integer end as span_made,
           case when whole_week then span_weeks - count(contacts_week) over span end as span_unknown
    from spans
    window span as (partition by record_no, whole_week, span_no order by week
                    rows between unbounded preceding and current row)
)
select * exclude (first_listed),
       case
           when release_date is null and week + 6 < observation_end then 'observation'
           when release_date is null then 'no_release'
           when week + 6 < release_date then 'observation'
           when not whole_week then 'partial'
           when category is null then 'no_category'
           when not span_ends then 'not_due'
           when coalesce(span_made, 0) >= owed_per_span then 'met'
           when not listed_this_week then 'not_reported'
           when span_unknown > 0 then 'unknown'
           else 'short'
       end as week_status,
       case when whole_week and span_ends and category is not null then owed_per_span end as owed
from counted
order by week, league_code, county_code, facility_code, record_no
