{#- 每周通报 — weekly ranking of departments by the composite score (weights: ranking_weight in the metric registry). -#}

with department_ranking as (
    {{ weekly_ranking('department') }}
)

select
    department_ranking.week_start,
    department_ranking.scope_code as department_code,
    departments.department_name,
    department_ranking.composite_score,
    department_ranking.metrics_scored,
    department_ranking.on_time_rate,
    department_ranking.online_case_share,
    department_ranking.one_trip_rate,
    department_ranking.zero_trip_rate,
    department_ranking.satisfaction_rate,
    department_ranking.rectification_on_time_rate,
    department_ranking.cases_in_sample,
    department_ranking.is_ranked,
    {{ var('ranking_min_cases') }} as min_cases_to_rank,
    department_ranking.score_rank,
    department_ranking.units_ranked,
    department_ranking.previous_rank,
    department_ranking.rank_change
from department_ranking
left join {{ ref('dim_department') }} as departments
    on department_ranking.scope_code = departments.department_code
