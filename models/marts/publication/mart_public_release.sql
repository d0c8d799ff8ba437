{#- 政务公开 The public release (open data on the government portal, `govwh publish`): the
    metrics the registry flags public (shown_in: public), for every complete month and ISO
    week, for the city, each configured county (not the unknown member) and each department
    (not the unknown member). A period is complete once the data (mart_data_freshness.as_of_date)
    reaches its last working day, the weekly bulletin's rule. Each metric is listed for the
    scope types its period mart reports (the hall metrics for the city alone); a scope
    without a figure that period is a row with no data. Small cells are withheld: a figure
    whose denominator is below var public_min_cell_size (or zero) is published without
    value, numerator and denominator, with the reason; where that leaves one withheld county
    (or department) among published ones, the smallest published one is withheld too
    (complementary suppression), so the city minus the others does not reveal it. is_latest
    marks the latest complete period of each grain (what `govwh publish` publishes by default). Aggregates only: no
    case, applicant, staff member or ticket appears here. -#}

{%- set min_cell_size = var('public_min_cell_size') -%}

with public_metrics as (

    select
        metric_code,
        metric_name_zh,
        metric_name_en,
        metric_kind,
        higher_is_better,
        unit,
        display_format,
        display_order
    from {{ ref('dim_metric') }}
    where shown_in_public

),

data_as_of as (

    select max(as_of_date) as as_of_date from {{ ref('mart_data_freshness') }}

),

-- every ISO week and month of the calendar with its last day and its last working day
calendar_periods as (

    select
        'week' as period_grain,
        week_start as period_start,
        max(week_end) as period_end,
        max(case when is_workday then calendar_date end) as last_workday
    from {{ ref('dim_date') }}
    group by week_start
    union all
    select
        'month' as period_grain,
        month_start as period_start,
        max(month_end) as period_end,
        max(case when is_workday then calendar_date end) as last_workday
    from {{ ref('dim_date') }}
    group by month_start

),

public_values as (

    select
        metric_code,
        period_grain,
        period_start,
        scope_type,
        scope_code,
        numerator,
        denominator,
        metric_value
    from {{ ref('mart_metric_values') }}
    where period_grain in ('week', 'month')
        and scope_type in ('city', 'county', 'department')
        and metric_code in (select metric_code from public_metrics)

),

periods_with_values as (

    select distinct period_grain, period_start from public_values

),

-- periods with figures whose last working day the data has reached (a period without a
-- working day is complete once the data reaches its last day)
complete_periods as (

    select
        calendar_periods.period_grain,
        calendar_periods.period_start,
        calendar_periods.period_end,
        data_as_of.as_of_date
    from calendar_periods
    inner join periods_with_values
        on calendar_periods.period_grain = periods_with_values.period_grain
        and calendar_periods.period_start = periods_with_values.period_start
    cross join data_as_of
    where coalesce(calendar_periods.last_workday, calendar_periods.period_end)
        <= data_as_of.as_of_date

),

latest_periods as (

    select period_grain, max(period_start) as period_start
    from complete_periods
    group by period_grain

),

labelled_periods as (

    select
        complete_periods.period_grain,
        complete_periods.period_start,
        complete_periods.period_end,
        case
            when complete_periods.period_grain = 'month'
                then {{ month_label('complete_periods.period_start') }}
            else {{ iso_week_label('complete_periods.period_start') }}
        end as period_label,
        latest_periods.period_start is not null as is_latest,
        complete_periods.as_of_date
    from complete_periods
    left join latest_periods
        on complete_periods.period_grain = latest_periods.period_grain
        and complete_periods.period_start = latest_periods.period_start

),

published_scopes as (

    select
        'city' as scope_type,
        region_code as scope_code,
        region_name as scope_name,
        1 as scope_type_order
    from {{ ref('dim_region') }}
    where admin_level = 'city'
    union all
    select
        'county' as scope_type,
        region_code as scope_code,
        region_name as scope_name,
        2 as scope_type_order
    from {{ ref('dim_region') }}
    where admin_level = 'county'
        and is_configured
    union all
    select
        'department' as scope_type,
        department_code as scope_code,
        department_name as scope_name,
        3 as scope_type_order
    from {{ ref('dim_department') }}
    where department_code <> '{{ var("unknown_member_code") }}'

),

-- the scope types each metric's period mart reports
metric_scope_types as (

    select distinct metric_code, scope_type from public_values

),

release_cells as (

    select
        labelled_periods.period_grain,
        labelled_periods.period_label,
        labelled_periods.period_start,
        labelled_periods.period_end,
        labelled_periods.is_latest,
        labelled_periods.as_of_date,
        published_scopes.scope_type,
        published_scopes.scope_code,
        published_scopes.scope_name,
        published_scopes.scope_type_order,
        public_metrics.metric_code,
        public_metrics.metric_name_zh,
        public_metrics.metric_name_en,
        public_metrics.metric_kind,
        public_metrics.higher_is_better,
        public_metrics.unit,
        public_metrics.display_format,
        public_metrics.display_order
    from public_metrics
    inner join metric_scope_types
        on public_metrics.metric_code = metric_scope_types.metric_code
    inner join published_scopes
        on metric_scope_types.scope_type = published_scopes.scope_type
    cross join labelled_periods

),

cells_with_values as (

    select
        release_cells.*,
        public_values.numerator,
        public_values.denominator,
        public_values.metric_value,
        coalesce(public_values.denominator, 0) > 0
            and public_values.denominator < {{ min_cell_size }} as is_small_cell
    from release_cells
    left join public_values
        on release_cells.metric_code = public_values.metric_code
        and release_cells.period_grain = public_values.period_grain
        and release_cells.period_start = public_values.period_start
        and release_cells.scope_type = public_values.scope_type
        and release_cells.scope_code = public_values.scope_code

),

-- complementary suppression: the counties (and the departments) add up to about the city, so
-- one withheld part among published ones is recoverable as the city minus the others; the
-- smallest published part of such a group is withheld with it
cells_ranked_in_group as (

    select
        *,
        sum(case when is_small_cell then 1 else 0 end) over (
            partition by period_grain, period_start, metric_code, scope_type
        ) as small_cells_in_group,
        row_number() over (
            partition by period_grain, period_start, metric_code, scope_type
            order by
                case when coalesce(denominator, 0) >= {{ min_cell_size }} then 0 else 1 end,
                denominator,
                scope_code
        ) as published_size_rank
    from cells_with_values

),

cells_with_suppression as (

    select
        *,
        case
            when coalesce(denominator, 0) = 0 then 'no_data'
            when is_small_cell then 'below_min_cell_size'
            when scope_type <> 'city'
                and small_cells_in_group = 1
                and published_size_rank = 1
                then 'complementary'
        end as suppression_reason
    from cells_ranked_in_group

)

select
    period_grain,
    period_label,
    period_start,
    period_end,
    is_latest,
    scope_type,
    scope_code,
    scope_name,
    metric_code,
    metric_name_zh,
    metric_name_en,
    metric_kind,
    higher_is_better,
    unit,
    display_format,
    -- every public metric is a rate over counted items, cases, ratings or tickets
    case when suppression_reason is null then cast(numerator as bigint) end as numerator,
    case when suppression_reason is null then cast(denominator as bigint) end as denominator,
    case when suppression_reason is null then metric_value end as value,
    suppression_reason is not null as is_suppressed,
    suppression_reason,
    case suppression_reason
        when 'no_data' then '本期无数据'
        when 'below_min_cell_size' then '基数不足{{ min_cell_size }}，不予公开'
        when 'complementary' then '为防止推算出其他不予公开的数据，一并不予公开'
    end as suppression_reason_zh,
    cast({{ min_cell_size }} as integer) as min_cell_size,
    as_of_date as data_as_of,
    scope_type_order,
    display_order
from cells_with_suppression
