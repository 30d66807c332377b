-- Risk labelling (Annex 1 of NMG-2022) per community health centre and township hospital: who is in
-- the register, who carries a label, which colour, whether the label matches the rule, family-doctor
-- signing, and contact frequency. Facilities expected to keep a register get a row even when they
-- sent nothing (reported = false, counts null: missing is not zero).
-- Grain: one row per (week, facility); all weeks with registers when $week is null.
-- Parameters: $week, $league_code, $county_code, $consortium, $contacts_yellow_per_week,
--   $contacts_red_per_week.
-- Choices: colours of the funnel are the recorded labels (what the facility did); the audit compares
-- them with the rule's label (green < yellow < red; blank = unlabelled, neither under nor over);
-- contact frequency and case management follow the rule's label (who the policy says needs it,
-- so an under-labelled red person is not let off). Case management (专案管理) = yellow or red by the
-- rule, family-doctor signed and contacted at the policy frequency this week.
-- Blanks are unknown, counted apart and never folded into a count: rule_unknown (the rule cannot
-- label: age, disease state or vaccination blank), signed_unknown (signing blank), yellow/red
-- contacts_unknown (the week's contact count blank), managed_unknown (neither known to be managed
-- nor known not to be). A share's denominator is the people whose answer is known.
with area as (
    select *
    from area_facilities($league_code, $county_code, $consortium) f
),
expected as (
    select a.* from area a join reporting_duty d on d.dataset = 'register' and d.facility_code = a.facility_code
    where d.must_report
),
report_week as (
    select distinct week from agg_register where $week::date is null or week = $week::date
    union
    select $week::date where $week::date is not null
),
ranked as (
    select g.*,
           case g.recorded_label when 'green' then 1 when 'yellow' then 2 when 'red' then 3 end as recorded_rank,
           case g.rule_label when 'green' then 1 when 'yellow' then 2 when 'red' then 3 end as rule_rank,
           -- null when the contact count is blank (a comparison with null is null, counted apart)
           case g.rule_label when 'yellow' then g.contacts_week >= $contacts_yellow_per_week
                             when 'red' then g.contacts_week >= $contacts_red_per_week end as contacted_enough
    from agg_register g
),
counted as (
    select week, facility_code,
           sum(persons) as persons,
           sum(persons) filter (aged_65_plus) as persons_65,
           sum(persons) filter (recorded_label is not null) as labelled,
           sum(persons) filter (recorded_label = 'green') as green,
           sum(persons) filter (recorded_label = 'yellow') as yellow,
           sum(persons) filter (recorded_label = 'red') as red,
           sum(persons) filter (recorded_rank < rule_rank) as under_labelled,
           sum(persons) filter (recorded_rank > rule_rank) as over_labelled,
           sum(persons) filter (family_doctor_signed) as signed,
           sum(persons) filter (rule_label = 'yellow') as rule_yellow,
           sum(persons) filter (rule_label = 'red') as rule_red,
           sum(persons) filter (rule_label = 'yellow' and contacted_enough) as yellow_contacted,
           sum(persons) filter (rule_label = 'red' and contacted_enough) as red_contacted,
           sum(persons) filter (rule_label in ('yellow', 'red') and contacted_enough and family_doctor_signed) as managed,
           sum(persons) filter (rule_label is null) as rule_unknown,
           sum(persons) filter (recorded_label is not null and rule_label is null) as audit_unknown,
           sum(persons) filter (family_doctor_signed is null) as signed_unknown,
           sum(persons) filter (rule_label = 'yellow' and contacts_week is null) as yellow_contacts_unknown,
           sum(persons) filter (rule_label = 'red' and contacts_week is null) as red_contacts_unknown,
           -- three-valued: unknown unless one known answer already rules case management out
           sum(persons) filter (rule_label in ('yellow', 'red')
                                and (contacted_enough and family_doctor_signed) is null) as managed_unknown
    from ranked
    group by week, facility_code
)
select w.week, e.facility_code, e.facility_name, e.primary_type, e.league_code, e.league_name, e.county_code,
       e.county_name, e.consortium, c.facility_code is not null as reported,
       -- a facility that reported has zero where a count found nobody; one that did not stays null
       case when c.facility_code is not null then coalesce(columns(c.* exclude (week, facility_code)), 0)::bigint end
from report_week w
cross join expected e
left join counted c on c.week = w.week and c.facility_code = e.facility_code
order by w.week, e.league_code, e.county_code, e.facility_code
