{#- All rate metrics of the dictionary in one long table — one row per metric, period and
    scope with numerator, denominator and value — for targets, rankings, the cockpit and the
    weekly bulletin. Names and direction come from the metrics seed.
    Incremental: a run rewrites, metric by metric, the periods whose rows the period marts
    rewrote since this model last stored their watermark (delete + insert by metric and
    period). _watermark is the source row's watermark, _built_at the start of the run that
    wrote the row. -#}

{{
    config(
        materialized='incremental',
        unique_key=['metric_code', 'period_grain', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{%- set metric_sources = [
    ('online_available_rate', 'mart_item_supply_by_period', 'online_available_items', 'active_items'),
    ('online_available_rate_incl_unsuitable', 'mart_item_supply_by_period', 'online_available_items_incl_unsuitable', 'active_items'),
    ('full_online_item_share', 'mart_item_supply_by_period', 'full_online_items', 'active_items'),
    ('one_trip_item_share', 'mart_item_supply_by_period', 'one_trip_items', 'active_items'),
    ('zero_trip_item_share', 'mart_item_supply_by_period', 'zero_trip_items', 'active_items'),
    ('instant_item_share', 'mart_item_supply_by_period', 'instant_items', 'active_items'),
    ('time_limit_compression', 'mart_item_supply_by_period', 'limit_days_saved', 'legal_limit_days_total'),
    ('online_case_share', 'mart_case_metrics_by_period', 'online_cases', 'completed_cases'),
    ('on_time_rate', 'mart_case_metrics_by_period', 'on_time_cases', 'completed_cases'),
    ('on_time_rate_strict', 'mart_case_metrics_by_period', 'on_time_cases', 'completed_cases + coalesce(overdue_open_cases, 0)'),
    ('instant_completion_rate', 'mart_case_metrics_by_period', 'same_workday_cases', 'completed_cases'),
    ('one_trip_rate', 'mart_case_metrics_by_period', 'one_trip_cases', 'completed_cases'),
    ('zero_trip_rate', 'mart_case_metrics_by_period', 'zero_trip_cases', 'completed_cases'),
    ('zero_trip_promise_rate', 'mart_case_metrics_by_period', 'zero_trip_item_zero_trip_cases', 'zero_trip_item_cases'),
    ('rating_coverage', 'mart_case_metrics_by_period', 'rated_cases', 'completed_cases'),
    ('satisfaction_rate', 'mart_case_metrics_by_period', 'satisfied_ratings', 'rated_cases'),
    ('bad_rating_rate', 'mart_case_metrics_by_period', 'bad_ratings', 'rated_cases'),
    ('rectification_on_time_rate', 'mart_case_metrics_by_period', 'bad_ratings_rectified_on_time', 'bad_ratings_due'),
    ('service_level', 'mart_hall_metrics_by_period', 'tickets_within_target_wait', 'service_level_base'),
    ('abandoned_ticket_rate', 'mart_hall_metrics_by_period', 'tickets_unserved', 'tickets_issued'),
    ('long_wait_share', 'mart_hall_metrics_by_period', 'tickets_long_wait', 'tickets_called'),
    ('window_occupancy', 'mart_hall_metrics_by_period', 'window_minutes_serving', 'window_minutes_staffed'),
] -%}

{#- the bookkeeping column of each mart that marks the rows its runs rewrote -#}
{%- set mart_watermarks = {
    'mart_item_supply_by_period': '_watermark',
    'mart_case_metrics_by_period': '_watermark',
    'mart_hall_metrics_by_period': '_loaded_at',
} -%}

with

{% if is_incremental() %}
{%- for mart, watermark in mart_watermarks.items() %}
{%- set mart_metric_codes = [] -%}
{%- for metric_code, source_mart, numerator, denominator in metric_sources if source_mart == mart -%}
    {%- do mart_metric_codes.append(metric_code) -%}
{%- endfor %}
{{ mart }}_changed_periods as (

    select distinct period_grain, period_start
    from {{ ref(mart) }}
    where {{ watermark }} > {{ stored_watermark(this, '_watermark', 'metric_code in ' ~ sql_string_list(mart_metric_codes)) }}

),
{% endfor %}
{% endif %}

metric_parts as (
    {%- for metric_code, mart, numerator, denominator in metric_sources %}
    select
        '{{ metric_code }}' as metric_code,
        source_rows.period_grain,
        source_rows.period_start,
        source_rows.scope_type,
        source_rows.scope_code,
        cast({{ numerator }} as double) as numerator,
        cast({{ denominator }} as double) as denominator,
        source_rows.{{ mart_watermarks[mart] }} as _watermark
    from {{ ref(mart) }} as source_rows
    {%- if is_incremental() %}
    where exists (
        select 1 from {{ mart }}_changed_periods as changed
        where changed.period_grain = source_rows.period_grain
            and changed.period_start = source_rows.period_start
    )
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    metric_parts.metric_code,
    metrics.metric_name_zh,
    metrics.metric_name_en,
    metrics.metric_kind,
    metrics.higher_is_better,
    metric_parts.period_grain,
    metric_parts.period_start,
    metric_parts.scope_type,
    metric_parts.scope_code,
    metric_parts.numerator,
    metric_parts.denominator,
    {{ safe_ratio('metric_parts.numerator', 'metric_parts.denominator') }} as metric_value,
    metric_parts._watermark,
    {{ run_started_timestamp() }} as _built_at
from metric_parts
inner join {{ ref('metrics') }} as metrics
    on metric_parts.metric_code = metrics.metric_code
