{#- Hotline calls at day / week / month / year grain for the city and each line: calls
    offered, answered, abandoned (呼损), answered within the target
    (var hotline_answer_target_seconds) and the seconds the answered calls waited, with the
    registry's ratios (metric_kind call): answer rate (接通率), average speed of answer
    (平均应答时长), abandonment rate. Dated by the day the call was offered.
    Rebuilt whole on every run (a small table). -#}

{%- set combinations = [] -%}
{%- for grain in ['day', 'week', 'month', 'year'] -%}
    {%- for scope in ['city', 'line'] -%}
        {%- do combinations.append((grain, scope)) -%}
    {%- endfor -%}
{%- endfor -%}

with calendar_days as (

    select * from {{ ref('dim_date') }}

),

calls_daily as (

    select
        offered_date,
        coalesce(line, '{{ var("unknown_member_code") }}') as line,
        count(*) as calls_offered,
        sum(case when is_answered then 1 else 0 end) as calls_answered,
        sum(case when is_abandoned then 1 else 0 end) as calls_abandoned,
        sum(case when is_answered_within_target then 1 else 0 end) as calls_answered_within_target,
        sum(case when is_answered then wait_seconds else 0 end) as wait_seconds_answered,
        sum(case when is_abandoned then wait_seconds else 0 end) as wait_seconds_abandoned,
        max(_watermark) as _watermark
    from {{ ref('fct_hotline_calls') }}
    group by offered_date, coalesce(line, '{{ var("unknown_member_code") }}')

),

call_parts as (

    {{ dated_parts('calls_daily', 'offered_date', regions='city') }}

),

summed_parts as (
    {{ rollup_by_period_scope('call_parts', combinations, "
        sum(calls_offered) as calls_offered,
        sum(calls_answered) as calls_answered,
        sum(calls_abandoned) as calls_abandoned,
        sum(calls_answered_within_target) as calls_answered_within_target,
        sum(wait_seconds_answered) as wait_seconds_answered,
        sum(wait_seconds_abandoned) as wait_seconds_abandoned
    ") }}
),

run_watermark as (

    select max(_watermark) as _watermark from calls_daily

)

select
    summed_parts.period_grain,
    summed_parts.period_start,
    {{ period_end_of('summed_parts.period_grain', 'period_days') }} as period_end,
    summed_parts.scope_type,
    summed_parts.scope_code,
    cast(calls_offered as bigint) as calls_offered,
    cast(calls_answered as bigint) as calls_answered,
    cast(calls_abandoned as bigint) as calls_abandoned,
    cast(calls_answered_within_target as bigint) as calls_answered_within_target,
    {{ safe_ratio('calls_answered_within_target', 'calls_offered') }} as call_service_level,
    cast(wait_seconds_answered as bigint) as wait_seconds_answered,
    cast(wait_seconds_abandoned as bigint) as wait_seconds_abandoned,
    {{ metric_ratio('call_answer_rate') }} as call_answer_rate,
    {{ metric_ratio('average_speed_of_answer') }} as average_speed_of_answer,
    {{ metric_ratio('call_abandonment_rate') }} as call_abandonment_rate,
    (select _watermark from run_watermark) as _watermark,
    '{{ metric_definitions_hash(this.identifier) }}' as _definition_hash
from summed_parts
inner join calendar_days as period_days
    on summed_parts.period_start = period_days.calendar_date
