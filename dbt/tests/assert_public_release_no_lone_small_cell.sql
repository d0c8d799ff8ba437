{#- Complementary suppression holds: in no period, metric and part of the city (counties,
    departments) is exactly one figure withheld for its small size while others of the group
    are published and none is withheld as its complement; the city minus the published parts
    would give it away. -#}

with release_groups as (

    select
        period_grain,
        period_start,
        metric_code,
        scope_type,
        sum(case when suppression_reason = 'below_min_cell_size' then 1 else 0 end)
            as small_cells,
        sum(case when suppression_reason = 'complementary' then 1 else 0 end)
            as complementary_cells,
        sum(case when is_suppressed then 0 else 1 end) as published_cells
    from {{ ref('mart_public_release') }}
    where scope_type <> 'city'
    group by period_grain, period_start, metric_code, scope_type

)

select *
from release_groups
where small_cells = 1
    and complementary_cells = 0
    and published_cells > 0
