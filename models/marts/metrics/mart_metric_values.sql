{#- All rate metrics of the dictionary in one long table — one row per metric, period and
    scope with numerator, denominator and value — for targets, rankings, the cockpit and the
    weekly bulletin. Generated from the metric registry
    (var metric_registry in dbt_project.yml): names and direction come from dim_metric.
    Incremental: a run rewrites, metric by metric, the periods whose rows the period marts
    rewrote since this model last stored their watermark (delete + insert by metric and
    period). _watermark is the source row's watermark, _built_at the start of the run that
    wrote the row, _definition_hash the hash of the metric's definition it was computed with:
    a metric whose definition changed is recomputed for every period. -#}

{#- append_new_columns: a warehouse built before the metric registry gains _definition_hash
    (its definitions unknown, every period is recomputed) -#}
{{
    config(
        materialized='incremental',
        unique_key=['metric_code', 'period_grain', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

{%- set metrics = registry_metrics() -%}
{%- set redefined = metrics_with_changed_definitions(this) if is_incremental() else [] -%}

{#- the bookkeeping column of each mart that marks the rows its runs rewrote -#}
{%- set mart_watermarks = {
    'mart_item_supply_by_period': '_watermark',
    'mart_case_metrics_by_period': '_watermark',
    'mart_hall_metrics_by_period': '_loaded_at',
    'mart_consultation_metrics_by_period': '_watermark',
    'mart_hotline_calls_by_period': '_watermark',
    'mart_guide_completeness_by_period': '_watermark',
} -%}

with

{% if is_incremental() %}
{%- for mart, watermark in mart_watermarks.items() %}
{%- set mart_metric_codes = [] -%}
{%- for metric in metrics if metric.source_mart == mart -%}
    {%- do mart_metric_codes.append(metric.metric_code) -%}
{%- endfor %}
{{ mart }}_changed_periods as (

    select distinct period_grain, period_start
    from {{ ref(mart) }}
    where {{ watermark }} > {{ stored_watermark(this, '_watermark', 'metric_code in ' ~ sql_string_list(mart_metric_codes)) }}

),
{% endfor %}
{% endif %}

metric_parts as (
    {%- for metric in metrics %}
    select
        '{{ metric.metric_code }}' as metric_code,
        source_rows.period_grain,
        source_rows.period_start,
        source_rows.scope_type,
        source_rows.scope_code,
        cast({{ metric.numerator }} as double) as numerator,
        cast({{ metric.denominator }} as double) as denominator,
        source_rows.{{ mart_watermarks[metric.source_mart] }} as _watermark,
        '{{ metric.definition_hash }}' as _definition_hash
    from {{ ref(metric.source_mart) }} as source_rows
    {%- if is_incremental() and metric.metric_code not in redefined %}
    where exists (
        select 1 from {{ metric.source_mart }}_changed_periods as changed
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
    metric_parts._definition_hash,
    {{ run_started_timestamp() }} as _built_at
from metric_parts
inner join {{ ref('dim_metric') }} as metrics
    on metric_parts.metric_code = metrics.metric_code
