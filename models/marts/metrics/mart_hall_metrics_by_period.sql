{#- Hall metrics by hall (and all halls of the city) for day / week / month / year: waits
    (mean, p50, p90 — exact, interpolated linearly, read from the distribution of waits in
    whole seconds — share over the long-wait threshold), service level (called within the
    target wait over called + abandoned), abandoned-ticket rate (never served over issued) and
    window occupancy, each with numerator and denominator. Occupancy: the queue system does
    not export rosters, so a window counts as open during its own spans of calls
    (int_hall_windows__open_spans: from a call to the end of its service, closed after an idle
    gap over window_idle_close_minutes); a window serves one customer at a time, so occupancy
    stays within 0–1.
    Incremental: a run recomputes the periods that contain a day with newly loaded tickets and
    replaces them whole (delete + insert by period). -#}

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

{%- set combinations = [
    ('day', 'hall'), ('day', 'city'), ('week', 'hall'), ('week', 'city'),
    ('month', 'hall'), ('month', 'city'), ('year', 'hall'), ('year', 'city')
] -%}
{%- set redefined = metric_definitions_changed(this.identifier) -%}

with run_watermark as (

    select max(_loaded_at) as _loaded_at from {{ ref('mart_hall_metrics_hourly') }}

),

{% if is_incremental() %}
{{ affected_period_ctes(all_calendar_days() if redefined else '''
    select distinct ticket_date as calendar_date
    from ''' ~ ref('mart_hall_metrics_hourly') ~ '''
    where _loaded_at > ''' ~ stored_watermark(this, '_loaded_at') ~ '''
''') }}
{% endif %}

hourly_parts as (

    {{ dated_parts(ref('mart_hall_metrics_hourly'), 'ticket_date', regions='city') }}

),

summed_parts as (
    {{ rollup_by_period_scope('hourly_parts', combinations, "
        sum(tickets_issued) as tickets_issued,
        sum(tickets_called) as tickets_called,
        sum(tickets_served) as tickets_served,
        sum(tickets_no_show) as tickets_no_show,
        sum(tickets_abandoned) as tickets_abandoned,
        sum(tickets_unserved) as tickets_unserved,
        sum(tickets_within_target_wait) as tickets_within_target_wait,
        sum(tickets_long_wait) as tickets_long_wait,
        sum(wait_minutes_total) as wait_minutes_total,
        sum(service_minutes_total) as service_minutes_total
    ") }}
),

serving_days as (

    select
        hall_code,
        ticket_date,
        sum(service_minutes) as serving_minutes
    from {{ ref('fct_hall_tickets') }}
    where is_called {{ in_affected_days('ticket_date') }}
    group by hall_code, ticket_date

),

open_days as (

    select
        hall_code,
        ticket_date,
        sum(open_minutes) as window_minutes_open
    from {{ ref('int_hall_windows__open_spans') }}
    where ticket_date is not null {{ in_affected_days('ticket_date') }}
    group by hall_code, ticket_date

),

hall_days as (

    select
        serving_days.hall_code,
        serving_days.ticket_date,
        serving_days.serving_minutes,
        coalesce(open_days.window_minutes_open, 0) as window_minutes_open
    from serving_days
    left join open_days
        on serving_days.hall_code = open_days.hall_code
        and serving_days.ticket_date = open_days.ticket_date

),

hall_day_parts as (

    {{ dated_parts('hall_days', 'ticket_date', regions='city') }}

),

occupancy as (
    {{ rollup_by_period_scope('hall_day_parts', combinations, "
        sum(serving_minutes) as serving_minutes,
        sum(window_minutes_open) as window_minutes_open
    ") }}
),

-- Wait percentiles, exact, interpolated linearly, read from the distribution of waits:
-- called tickets per hall, day and wait in whole seconds (waits are measured in whole seconds,
-- so nothing is lost), summed to each period and scope. A percentile aggregate over the
-- tickets instead holds every wait of every group of every grain at once: beyond 9 GB at
-- province scale, where sums of counts roll up in bounded memory (DuckDB spills them).
wait_histogram as (

    select
        hall_code,
        ticket_date,
        cast(round(wait_minutes * 60) as integer) as wait_seconds,
        count(*) as tickets
    from {{ ref('fct_hall_tickets') }}
    where is_called {{ in_affected_days('ticket_date') }}
    group by hall_code, ticket_date, cast(round(wait_minutes * 60) as integer)

),

wait_histogram_parts as (

    {{ dated_parts('wait_histogram', 'ticket_date', regions='city') }}

),

-- running counts of each period and scope, one window per grain and scope: partitioned by
-- two keys instead of four, the sorts cost a third less than one window over all of them
waits_cumulative as (
    {%- for grain, scope in combinations %}

    select
        waits_by_scope.*,
        sum(tickets) over (
            partition by period_start, scope_code
            order by wait_seconds
            rows between unbounded preceding and current row
        ) as tickets_up_to,
        sum(tickets) over (partition by period_start, scope_code) as tickets_in_scope
    from (
        {{ rollup_by_period_scope(
            'wait_histogram_parts', [(grain, scope)], 'sum(tickets) as tickets',
            extra_keys=['wait_seconds']
        ) }}
    ) as waits_by_scope
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- continuous percentiles as quantile_cont / percentile compute them: position h = (n - 1) q,
-- counted from 0, between the waits at positions floor(h) and ceil(h); the wait at position k
-- is the first whose cumulative count exceeds k
{%- set wait_fractions = {'p50': 0.5, 'p90': 0.9} %}

wait_percentile_bounds as (

    select
        period_grain,
        period_start,
        scope_type,
        scope_code,
        {%- for name, fraction in wait_fractions.items() %}
        max((tickets_in_scope - 1) * {{ fraction }}) as {{ name }}_position,
        min(case when tickets_up_to > floor((tickets_in_scope - 1) * {{ fraction }}) then wait_seconds end)
            as {{ name }}_lower_seconds,
        min(case when tickets_up_to > ceil((tickets_in_scope - 1) * {{ fraction }}) then wait_seconds end)
            as {{ name }}_upper_seconds{{ ',' if not loop.last }}
        {%- endfor %}
    from waits_cumulative
    group by period_grain, period_start, scope_type, scope_code

),

wait_percentiles as (

    select
        period_grain,
        period_start,
        scope_type,
        scope_code,
        {%- for name in wait_fractions %}
        (
            {{ name }}_lower_seconds
            + ({{ name }}_position - floor({{ name }}_position))
            * ({{ name }}_upper_seconds - {{ name }}_lower_seconds)
        ) / 60.0 as wait_minutes_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from wait_percentile_bounds

),

period_parts as (

    select
        summed_parts.period_grain,
        summed_parts.period_start,
        summed_parts.scope_type,
        summed_parts.scope_code,
        summed_parts.tickets_issued,
        summed_parts.tickets_called,
        summed_parts.tickets_served,
        summed_parts.tickets_no_show,
        summed_parts.tickets_abandoned,
        summed_parts.tickets_unserved,
        summed_parts.tickets_within_target_wait,
        summed_parts.tickets_called + summed_parts.tickets_abandoned as service_level_base,
        summed_parts.tickets_long_wait,
        summed_parts.wait_minutes_total,
        wait_percentiles.wait_minutes_p50,
        wait_percentiles.wait_minutes_p90,
        summed_parts.service_minutes_total,
        occupancy.serving_minutes as window_minutes_serving,
        occupancy.window_minutes_open
    from summed_parts
    left join occupancy
        on {{ same_period_scope('summed_parts', 'occupancy') }}
    left join wait_percentiles
        on {{ same_period_scope('summed_parts', 'wait_percentiles') }}
    {% if is_incremental() %}
    where exists (
        select 1 from affected_periods
        where affected_periods.period_grain = summed_parts.period_grain
            and affected_periods.period_start = summed_parts.period_start
    )
    {% endif %}

)

select
    period_grain,
    period_start,
    scope_type,
    scope_code,
    cast(tickets_issued as bigint) as tickets_issued,
    cast(tickets_called as bigint) as tickets_called,
    cast(tickets_served as bigint) as tickets_served,
    cast(tickets_no_show as bigint) as tickets_no_show,
    cast(tickets_abandoned as bigint) as tickets_abandoned,
    cast(tickets_unserved as bigint) as tickets_unserved,
    {{ metric_ratio('abandoned_ticket_rate') }}
        as abandoned_ticket_rate,
    cast(tickets_within_target_wait as bigint) as tickets_within_target_wait,
    cast(service_level_base as bigint) as service_level_base,
    {{ metric_ratio('service_level') }}
        as service_level,
    cast(tickets_long_wait as bigint) as tickets_long_wait,
    {{ metric_ratio('long_wait_share') }}
        as long_wait_share,
    wait_minutes_total,
    {{ safe_ratio('wait_minutes_total', 'tickets_called') }}
        as wait_minutes_mean,
    wait_minutes_p50,
    wait_minutes_p90,
    service_minutes_total,
    window_minutes_serving,
    window_minutes_open,
    {{ metric_ratio('window_occupancy') }}
        as window_occupancy,
    (select _loaded_at from run_watermark) as _loaded_at,
    '{{ metric_definitions_hash(this.identifier) }}' as _definition_hash
from period_parts
