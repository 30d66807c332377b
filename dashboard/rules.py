"""Risk labelling of key populations: 新冠肺炎相关健康风险评估标准 (NMG-2022 Annex 1).

The rule table decides. Only a person that no row of the table describes is scored with the
supplementary points table. Choices where the text leaves room (tested in tests/test_rules.py):

- Age is in completed years (周岁). The bands read `<65`, `65-80`, `>80`, and the green rows `<80`.
  `65-80` is taken as inclusive at both ends, so 80 is a middle-band age: an 80-year-old matches
  neither the green rows (<80) nor the >80 rows, and the rows for 65-80 only speak of stable or
  unstable disease. An 80-year-old with no disease is therefore scored: 1 + 0 + vaccination points.
- 全程接种 (fully vaccinated) is `full`; 未全程接种 (not fully vaccinated) covers `none` and `partial`.
  The points table separates them: none 2, partial 1, full 0.
- Rows not covered by the table (scored): under 65 with stable disease and not fully vaccinated;
  over 80 with no disease and not fully vaccinated; over 80 with unstable disease and fully vaccinated;
  80-year-olds as above.

The pages use the SQL macro `risk_label(...)` created in the database (see RISK_LABEL_MACRO); this
module's `risk_label` is the same rule in Python, for scripts and for the agreement test.
"""
from __future__ import annotations

from dashboard import policy

DISEASE_STATES = ("none", "stable", "unstable")
VACCINATION_STATES = ("none", "partial", "full")
LABELS = ("green", "yellow", "red")


def age_band(age: int) -> str:
    young = policy.value("risk.age_young_below")
    old = policy.value("risk.age_old_above")
    if age < young:
        return "young"  # <65
    if age <= old:
        return "middle"  # 65-80
    return "old"  # >80


def table_label(age: int, disease_state: str, vaccination: str) -> str | None:
    """The rule table (Annex 1, first table). None where no row applies."""
    band = age_band(age)
    full = vaccination == "full"
    below_old = age < policy.value("risk.age_old_above")  # the green rows' "<80"
    # green
    if below_old and disease_state == "none":
        return "green"
    if below_old and disease_state == "stable" and full:
        return "green"
    # yellow
    if band == "young" and disease_state == "unstable" and full:
        return "yellow"
    if band == "middle" and disease_state == "stable" and not full:
        return "yellow"
    if band == "old" and disease_state in ("none", "stable") and full:
        return "yellow"
    # red
    if band == "young" and disease_state == "unstable" and not full:
        return "red"
    if band == "middle" and disease_state == "unstable":
        return "red"
    if band == "old" and disease_state in ("stable", "unstable") and not full:
        return "red"
    return None


def risk_score(age: int, disease_state: str, vaccination: str) -> int:
    """The supplementary points table (Annex 1, second table): 0-6."""
    age_points = {"young": 0, "middle": 1, "old": 2}[age_band(age)]
    disease_points = {"none": 0, "stable": 1, "unstable": 2}[disease_state]
    vaccination_points = {"none": 2, "partial": 1, "full": 0}[vaccination]
    return age_points + disease_points + vaccination_points


def risk_label(age: int, disease_state: str, vaccination: str) -> str:
    """'green' | 'yellow' | 'red' for an age in years, disease state none|stable|unstable and
    vaccination none|partial|full."""
    if disease_state not in DISEASE_STATES:
        raise ValueError(f"disease_state must be one of {DISEASE_STATES}, not {disease_state!r}")
    if vaccination not in VACCINATION_STATES:
        raise ValueError(f"vaccination must be one of {VACCINATION_STATES}, not {vaccination!r}")
    label = table_label(age, disease_state, vaccination)
    if label is not None:
        return label
    score = risk_score(age, disease_state, vaccination)
    if score >= policy.value("risk.score_red_from"):
        return "red"
    if score >= policy.value("risk.score_yellow_from"):
        return "yellow"
    return "green"


def risk_params() -> dict[str, float]:
    """The thresholds the SQL macro takes, as query parameters."""
    return policy.params(
        "risk.age_young_below", "risk.age_old_above", "risk.score_yellow_from", "risk.score_red_from"
    )


# The same rule for DuckDB. Thresholds are arguments, so the policy file stays the one source.
RISK_LABEL_MACRO = """
create or replace macro risk_table_label(age, disease, vacc, young, old) as (
    case
        when age < old and disease = 'none' then 'green'
        when age < old and disease = 'stable' and vacc = 'full' then 'green'
        when age < young and disease = 'unstable' and vacc = 'full' then 'yellow'
        when age >= young and age <= old and disease = 'stable' and vacc <> 'full' then 'yellow'
        when age > old and disease in ('none', 'stable') and vacc = 'full' then 'yellow'
        when age < young and disease = 'unstable' and vacc <> 'full' then 'red'
        when age >= young and age <= old and disease = 'unstable' then 'red'
        when age > old and disease in ('stable', 'unstable') and vacc <> 'full' then 'red'
    end
);
create or replace macro risk_score(age, disease, vacc, young, old) as (
    (case when age < young then 0 when age <= old then 1 else 2 end)
    + (case disease when 'none' then 0 when 'stable' then 1 else 2 end)
    + (case vacc when 'none' then 2 when 'partial' then 1 else 0 end)
);
create or replace macro risk_label(age, disease, vacc, young, old, yellow_from, red_from) as (
    case
        when age is null or disease is null or vacc is null then null
        else coalesce(
            risk_table_label(age, disease, vacc, young, old),
            case
                when risk_score(age, disease, vacc, young, old) >= red_from then 'red'
                when risk_score(age, disease, vacc, young, old) >= yellow_from then 'yellow'
                else 'green'
            end)
    end
);
"""
