{#- Weekly ranking of one scope type (department or county) by a composite score: the
    weighted mean of the rates with a ranking_weight in the metric registry (dim_metric; a
    "lower is better" rate enters as 1 - rate; weights re-normalised over the metrics a unit
    has data for). Rank 1 is best; rank_change > 0 means the unit climbed since the previous
    ranked week.

    Only complete weeks are ranked (the case logs reach the week's Sunday), and only units with
    at least var('ranking_min_cases') cases in the week's sample (the largest denominator of
    their scored rates: the week's completed cases): a rate of three cases swings a unit twenty
    places from one week to the next. Smaller units keep their row, with is_ranked false and no
    rank. -#}
{% macro weekly_ranking(scope_type) -%}
{%- set ranked_metrics = [] -%}
{%- for metric in metric_registry() if metric.ranking_weight is not none -%}
    {%- do ranked_metrics.append(metric.metric_code) -%}
{%- endfor %}

with case_data_end as (

    select last_data_date
    from {{ ref('mart_data_freshness') }}
    where source_name = 'case_logs'

),

weekly_values as (

    select
        metric_values.period_start as week_start,
        metric_values.scope_code,
        metric_values.metric_code,
        case
            when metric_values.higher_is_better then metric_values.metric_value
            else 1 - metric_values.metric_value
        end as oriented_value,
        weights.ranking_weight as weight,
        metric_values.denominator as sample_size
    from {{ ref('mart_metric_values') }} as metric_values
    inner join {{ ref('dim_metric') }} as weights
        on metric_values.metric_code = weights.metric_code
        and weights.ranking_weight is not null
    inner join case_data_end
        -- complete weeks only: the case logs reach the week's Sunday
        on cast({{ dbt.dateadd('day', 6, 'metric_values.period_start') }} as date)
            <= case_data_end.last_data_date
    where metric_values.period_grain = 'week'
        and metric_values.scope_type = '{{ scope_type }}'
        and metric_values.metric_value is not null

),

scores as (

    select
        week_start,
        scope_code,
        sum(oriented_value * weight) / sum(weight) as composite_score,
        count(*) as metrics_scored,
        max(sample_size) as cases_in_sample{{ ',' if ranked_metrics }}
        {%- for metric_code in ranked_metrics %}
        max(case when metric_code = '{{ metric_code }}' then oriented_value end)
            as {{ metric_code }}{{ ',' if not loop.last }}
        {%- endfor %}
    from weekly_values
    group by week_start, scope_code

),

ranked as (

    select
        scores.*,
        -- equal scores tie: a float sum's last bit depends on the order an engine adds in
        rank() over (partition by week_start order by round(composite_score, 9) desc)
            as score_rank,
        count(*) over (partition by week_start) as units_ranked
    from scores
    where cases_in_sample >= {{ var('ranking_min_cases') }}

),

with_previous as (

    select
        ranked.*,
        lag(score_rank) over (partition by scope_code order by week_start) as previous_rank,
        lag(week_start) over (partition by scope_code order by week_start) as previous_week_start
    from ranked

),

all_units as (

    -- every unit scored, ranked or not (too few cases: no rank, is_ranked false)
    select
        scores.*,
        with_previous.score_rank,
        with_previous.units_ranked,
        with_previous.previous_rank,
        with_previous.previous_week_start,
        with_previous.scope_code is not null as is_ranked
    from scores
    left join with_previous
        on scores.week_start = with_previous.week_start
        and scores.scope_code = with_previous.scope_code

)

select
    week_start,
    scope_code,
    composite_score,
    metrics_scored,
    {%- for metric_code in ranked_metrics %}
    {{ metric_code }},
    {%- endfor %}
    cast(cases_in_sample as bigint) as cases_in_sample,
    is_ranked,
    cast(score_rank as integer) as score_rank,
    cast(units_ranked as integer) as units_ranked,
    -- only a ranking of the week before counts as "previous"
    case
        when previous_week_start = cast({{ dbt.dateadd('day', -7, 'week_start') }} as date)
            then cast(previous_rank as integer)
    end as previous_rank,
    case
        when previous_week_start = cast({{ dbt.dateadd('day', -7, 'week_start') }} as date)
            then cast(previous_rank - score_rank as integer)
    end as rank_change
from all_units

{%- endmacro %}
