{#- Every demand metric of the dictionary at day / week / month / year grain for the city,
    each county/district, township, department, channel and item (see case_period_scopes()),
    with numerator, denominator and ratio. Dated by completion (rectification: by its due
    date; strict on-time: open cases past their deadline at the end of the period). County
    rows cover the items implemented in the county and below; city-level items count in the
    city rows only.
    Incremental: a run recomputes the periods that contain a day touched since the last run
    (a completion or rectification due date of a touched case, or a day since the last as-of
    date, whose overdue counts moved) and replaces them whole (delete + insert by period). -#}

{#- append_new_columns: a warehouse built before the metric registry gains _definition_hash
    (its definitions unknown, every period is recomputed) -#}
{{
    config(
        materialized='incremental',
        unique_key=['period_grain', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

{%- set combinations = case_period_scopes() -%}
{%- set redefined = metric_definitions_changed(this.identifier) -%}
{%- set backlog_scopes = ['city', 'county', 'township', 'department'] -%}

with calendar_days as (

    select * from {{ ref('dim_date') }}

),

run_watermark as (

    select max(_watermark) as _watermark from {{ ref('fct_cases') }}

),

{% if is_incremental() %}
previous_run as (

    select max(_as_of_date) as as_of_date from {{ this }}

),

{{ affected_period_ctes(all_calendar_days() if redefined else '''
    select completion_date as calendar_date
    from ''' ~ ref('mart_case_metrics_daily') ~ '''
    where _watermark > ''' ~ stored_watermark(this, '_watermark') ~ '''
    union
    select rectification_due_date
    from ''' ~ ref('fct_cases') ~ '''
    where _watermark > ''' ~ stored_watermark(this, '_watermark') ~ '''
        and rectification_due_date is not null
    union
    select calendar_date
    from ''' ~ ref('dim_date') ~ '''
    where calendar_date >= (select as_of_date from previous_run)
        and calendar_date <= (
            select max(backlog_date) from ''' ~ ref('fct_daily_backlog') ~ '''
        )
''') }}
{% endif %}

regions as (

    select * from {{ ref('dim_region') }}

),

daily_parts as (

    {{ dated_parts(ref('mart_case_metrics_daily'), 'completion_date') }}

),

summed_parts as (
    {{ rollup_by_period_scope('daily_parts', combinations, "
        sum(completed_cases) as completed_cases,
        sum(online_cases) as online_cases,
        sum(on_time_cases) as on_time_cases,
        sum(cases_with_deadline) as cases_with_deadline,
        sum(trips_reported_cases) as trips_reported_cases,
        sum(acceptance_known_cases) as acceptance_known_cases,
        sum(same_workday_cases) as same_workday_cases,
        sum(one_trip_cases) as one_trip_cases,
        sum(zero_trip_cases) as zero_trip_cases,
        sum(zero_trip_item_cases) as zero_trip_item_cases,
        sum(zero_trip_item_zero_trip_cases) as zero_trip_item_zero_trip_cases,
        sum(rated_cases) as rated_cases,
        sum(satisfied_ratings) as satisfied_ratings,
        sum(bad_ratings) as bad_ratings,
        sum(elapsed_working_days_total) as elapsed_working_days_total
    ") }}
),

-- Handling time percentiles from a histogram of elapsed working days (an integer): exact
-- nearest-rank percentiles at every grain without sorting millions of cases per group.
handling_days_histogram as (

    {{ dated_parts(ref('mart_case_handling_days_histogram'), 'completion_date') }}

),

handling_days_by_scope as (
    {{ rollup_by_period_scope(
        'handling_days_histogram', combinations, 'sum(cases) as cases',
        extra_keys=['elapsed_working_days']
    ) }}
),

handling_days_cumulative as (

    select
        handling_days_by_scope.*,
        sum(cases) over (
            partition by period_grain, period_start, scope_type, scope_code
            order by elapsed_working_days
            rows between unbounded preceding and current row
        ) as cases_up_to,
        sum(cases) over (partition by period_grain, period_start, scope_type, scope_code)
            as cases_in_scope
    from handling_days_by_scope

),

handling_time as (

    select
        period_grain,
        period_start,
        scope_type,
        scope_code,
        min(case when cases_up_to >= 0.5 * cases_in_scope then elapsed_working_days end)
            as handling_days_p50,
        min(case when cases_up_to >= 0.9 * cases_in_scope then elapsed_working_days end)
            as handling_days_p90
    from handling_days_cumulative
    group by period_grain, period_start, scope_type, scope_code

),

bad_ratings_due as (

    {{ dated_parts(
        ref('fct_cases'), 'rectification_due_date',
        columns=['is_rectified_on_time', 'item_code', 'channel', 'department_code']
    ) }}

),

rectification as (
    {{ rollup_by_period_scope('bad_ratings_due', combinations, "
        count(*) as bad_ratings_due,
        sum(case when is_rectified_on_time then 1 else 0 end) as bad_ratings_rectified_on_time
    ") }}
),

backlog_at_day_end as (

    select
        backlog.red_alert_cases,
        backlog.department_code,
        backlog.backlog_date,
        regions.city_code,
        regions.county_code,
        regions.township_code
    from {{ ref('fct_daily_backlog') }} as backlog
    left join regions
        on backlog.region_code = regions.region_code
    where true {{ in_affected_days('backlog.backlog_date') }}

),

periods as (

    {%- for grain, end_column in period_ends().items() %}
    select distinct
        '{{ grain }}' as period_grain,
        {{ period_grains()[grain] }} as period_start,
        {{ end_column }} as period_end
    from calendar_days
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

as_of as (

    select max(backlog_date) as as_of_date from backlog_at_day_end

),

overdue_at_period_end as (

    {%- for scope in backlog_scopes %}
    select
        periods.period_grain,
        periods.period_start,
        '{{ scope }}' as scope_type,
        backlog_at_day_end.{{ scope_columns()[scope] }} as scope_code,
        sum(backlog_at_day_end.red_alert_cases) as overdue_open_cases
    from periods
    cross join as_of
    inner join backlog_at_day_end
        on backlog_at_day_end.backlog_date = case
            when periods.period_end > as_of.as_of_date then as_of.as_of_date
            else periods.period_end
        end
    where backlog_at_day_end.{{ scope_columns()[scope] }} is not null
        and periods.period_start <= as_of.as_of_date
    group by
        periods.period_grain,
        periods.period_start,
        backlog_at_day_end.{{ scope_columns()[scope] }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

period_scopes as (

    -- a period can have bad ratings falling due without any completion in it
    select period_grain, period_start, scope_type, scope_code from summed_parts
    union
    select period_grain, period_start, scope_type, scope_code from rectification
    where period_start <= (select as_of_date from as_of)

),

combined as (

    select
        period_scopes.*,
        coalesce(summed_parts.completed_cases, 0) as completed_cases,
        coalesce(summed_parts.online_cases, 0) as online_cases,
        coalesce(summed_parts.on_time_cases, 0) as on_time_cases,
        coalesce(summed_parts.cases_with_deadline, 0) as cases_with_deadline,
        coalesce(summed_parts.trips_reported_cases, 0) as trips_reported_cases,
        coalesce(summed_parts.acceptance_known_cases, 0) as acceptance_known_cases,
        coalesce(summed_parts.same_workday_cases, 0) as same_workday_cases,
        coalesce(summed_parts.one_trip_cases, 0) as one_trip_cases,
        coalesce(summed_parts.zero_trip_cases, 0) as zero_trip_cases,
        coalesce(summed_parts.zero_trip_item_cases, 0) as zero_trip_item_cases,
        coalesce(summed_parts.zero_trip_item_zero_trip_cases, 0) as zero_trip_item_zero_trip_cases,
        coalesce(summed_parts.rated_cases, 0) as rated_cases,
        coalesce(summed_parts.satisfied_ratings, 0) as satisfied_ratings,
        coalesce(summed_parts.bad_ratings, 0) as bad_ratings,
        summed_parts.elapsed_working_days_total,
        handling_time.handling_days_p50,
        handling_time.handling_days_p90,
        coalesce(rectification.bad_ratings_due, 0) as bad_ratings_due,
        coalesce(rectification.bad_ratings_rectified_on_time, 0) as bad_ratings_rectified_on_time,
        overdue_at_period_end.overdue_open_cases
    from period_scopes
    left join summed_parts
        on {{ same_period_scope('period_scopes', 'summed_parts') }}
    left join handling_time
        on {{ same_period_scope('period_scopes', 'handling_time') }}
    left join rectification
        on {{ same_period_scope('period_scopes', 'rectification') }}
    left join overdue_at_period_end
        on {{ same_period_scope('period_scopes', 'overdue_at_period_end') }}

)

select
    period_grain,
    period_start,
    scope_type,
    scope_code,
    cast(completed_cases as bigint) as completed_cases,
    cast(online_cases as bigint) as online_cases,
    {{ metric_ratio('online_case_share') }}
        as online_case_share,
    cast(on_time_cases as bigint) as on_time_cases,
    cast(cases_with_deadline as bigint) as cases_with_deadline,
    {{ metric_ratio('on_time_rate') }}
        as on_time_rate,
    cast(overdue_open_cases as bigint) as overdue_open_cases,
    {{ metric_ratio('on_time_rate_strict') }}
        as on_time_rate_strict,
    {{ metric_ratio('deadline_coverage') }}
        as deadline_coverage,
    cast(acceptance_known_cases as bigint) as acceptance_known_cases,
    cast(same_workday_cases as bigint) as same_workday_cases,
    {{ metric_ratio('instant_completion_rate') }}
        as instant_completion_rate,
    cast(trips_reported_cases as bigint) as trips_reported_cases,
    cast(one_trip_cases as bigint) as one_trip_cases,
    {{ metric_ratio('one_trip_rate') }}
        as one_trip_rate,
    cast(zero_trip_cases as bigint) as zero_trip_cases,
    {{ metric_ratio('zero_trip_rate') }}
        as zero_trip_rate,
    cast(zero_trip_item_cases as bigint) as zero_trip_item_cases,
    cast(zero_trip_item_zero_trip_cases as bigint) as zero_trip_item_zero_trip_cases,
    {{ metric_ratio('zero_trip_promise_rate') }}
        as zero_trip_promise_rate,
    cast(rated_cases as bigint) as rated_cases,
    {{ metric_ratio('rating_coverage') }}
        as rating_coverage,
    cast(satisfied_ratings as bigint) as satisfied_ratings,
    {{ metric_ratio('satisfaction_rate') }}
        as satisfaction_rate,
    cast(bad_ratings as bigint) as bad_ratings,
    {{ metric_ratio('bad_rating_rate') }}
        as bad_rating_rate,
    cast(bad_ratings_due as bigint) as bad_ratings_due,
    cast(bad_ratings_rectified_on_time as bigint) as bad_ratings_rectified_on_time,
    {{ metric_ratio('rectification_on_time_rate') }}
        as rectification_on_time_rate,
    cast(elapsed_working_days_total as bigint) as elapsed_working_days_total,
    {{ safe_ratio('elapsed_working_days_total', 'completed_cases') }} as handling_days_mean,
    handling_days_p50,
    handling_days_p90,
    (select _watermark from run_watermark) as _watermark,
    (select as_of_date from as_of) as _as_of_date,
    '{{ metric_definitions_hash(this.identifier) }}' as _definition_hash
from combined
{% if is_incremental() %}
where exists (
    select 1 from affected_periods
    where affected_periods.period_grain = combined.period_grain
        and affected_periods.period_start = combined.period_start
)
{% endif %}
