{#- 每周通报 — weekly ranking of counties/districts by the composite score (weights: ranking_weight in the metric registry). -#}

with district_ranking as (
    {{ weekly_ranking('county') }}
)

select
    district_ranking.week_start,
    district_ranking.scope_code as county_code,
    regions.region_name as county_name,
    district_ranking.composite_score,
    district_ranking.metrics_scored,
    district_ranking.on_time_rate,
    district_ranking.online_case_share,
    district_ranking.one_trip_rate,
    district_ranking.zero_trip_rate,
    district_ranking.satisfaction_rate,
    district_ranking.rectification_on_time_rate,
    district_ranking.cases_in_sample,
    district_ranking.is_ranked,
    {{ var('ranking_min_cases') }} as min_cases_to_rank,
    district_ranking.score_rank,
    district_ranking.units_ranked,
    district_ranking.previous_rank,
    district_ranking.rank_change
from district_ranking
left join {{ ref('dim_region') }} as regions
    on district_ranking.scope_code = regions.region_code
