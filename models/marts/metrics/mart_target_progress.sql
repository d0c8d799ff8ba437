{#- Progress against the city's targets (city folder targets.csv: metric, admin level, region
    or "*", value, due date) for every configured region the target covers (not the unknown
    region, which no one is held to): the actual of the latest month, target, gap, the trend over the last six months (least
    squares slope per month), the month the target would be reached at that trend, and a
    status: met / on_track (projected by the due date) / at_risk (projected within six months
    after it) / off_track (later, never at this trend, or past due and unmet). -#}

with targets as (

    select * from {{ ref('stg_city__targets') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

target_scopes as (

    select
        targets.metric_code,
        targets.admin_level,
        regions.region_code as scope_code,
        regions.region_name as scope_name,
        targets.target_value,
        cast(targets.due_date as date) as due_date,
        targets.basis
    from targets
    inner join regions
        on regions.admin_level = targets.admin_level
        and (targets.region_code = '*' or targets.region_code = regions.region_code)
    where regions.is_configured

),

monthly_values as (

    select
        metric_code,
        metric_name_zh,
        metric_name_en,
        higher_is_better,
        scope_type,
        scope_code,
        period_start,
        metric_value,
        cast(extract(year from period_start) as integer) * 12
        + cast(extract(month from period_start) as integer) as month_number
    from {{ ref('mart_metric_values') }} as metric_values
    where period_grain = 'month' and metric_value is not null
        -- only the metrics and scope types some target is set for (the rest of the table,
        -- items and departments above all, is most of it)
        and exists (
            select 1 from targets
            where targets.metric_code = metric_values.metric_code
                and targets.admin_level = metric_values.scope_type
        )

),

latest_month as (

    select metric_code, scope_type, scope_code, max(month_number) as latest_month_number
    from monthly_values
    group by metric_code, scope_type, scope_code

),

recent_values as (

    select monthly_values.*
    from monthly_values
    inner join latest_month
        on monthly_values.metric_code = latest_month.metric_code
        and monthly_values.scope_type = latest_month.scope_type
        and monthly_values.scope_code = latest_month.scope_code
        and monthly_values.month_number > latest_month.latest_month_number - 6

),

trends as (

    select
        metric_code,
        scope_type,
        scope_code,
        max(period_start) as as_of_month,
        max(month_number) as as_of_month_number,
        -- a trend needs at least three months; a slope within float noise of zero (a rate flat
        -- at 100 % gives -6.9e-15) is flat, not a trend that would take ages to reach a target
        case
            when count(*) >= 3 and abs(regr_slope(metric_value, month_number)) < 1e-9 then 0.0
            when count(*) >= 3 then regr_slope(metric_value, month_number)
        end as trend_per_month,
        count(*) as trend_months
    from recent_values
    group by metric_code, scope_type, scope_code

),

actuals as (

    select
        trends.*,
        recent_values.metric_name_zh,
        recent_values.metric_name_en,
        recent_values.higher_is_better,
        recent_values.metric_value as actual_value
    from trends
    inner join recent_values
        on trends.metric_code = recent_values.metric_code
        and trends.scope_type = recent_values.scope_type
        and trends.scope_code = recent_values.scope_code
        and trends.as_of_month_number = recent_values.month_number

),

progress as (

    select
        target_scopes.*,
        actuals.metric_name_zh,
        actuals.metric_name_en,
        actuals.higher_is_better,
        actuals.as_of_month,
        actuals.actual_value,
        actuals.trend_per_month,
        actuals.trend_months,
        case
            when actuals.higher_is_better then actuals.actual_value >= target_scopes.target_value
            else actuals.actual_value <= target_scopes.target_value
        end as is_met,
        -- months at this trend, when the target is ahead of it and within 50 years: the bound
        -- is checked on the double, before the cast (a tiny trend gives billions of months)
        case
            when actuals.trend_per_month <> 0
                and (target_scopes.target_value - actuals.actual_value) / actuals.trend_per_month
                    between 1e-12 and 600
                then cast(ceil(
                    (target_scopes.target_value - actuals.actual_value) / actuals.trend_per_month
                ) as integer)
        end as months_to_target
    from target_scopes
    left join actuals
        on target_scopes.metric_code = actuals.metric_code
        and target_scopes.admin_level = actuals.scope_type
        and target_scopes.scope_code = actuals.scope_code

),

projected as (

    select
        progress.*,
        case
            when not is_met and months_to_target is not null
                then cast({{ dbt.dateadd('month', 'months_to_target', 'as_of_month') }} as date)
        end as projected_date
    from progress

)

select
    metric_code,
    metric_name_zh,
    metric_name_en,
    admin_level,
    scope_code as region_code,
    scope_name as region_name,
    target_value,
    due_date,
    basis,
    as_of_month,
    actual_value,
    case
        when higher_is_better then target_value - actual_value
        else actual_value - target_value
    end as gap,
    trend_per_month,
    trend_months,
    projected_date,
    case
        when actual_value is null then 'no_data'
        when is_met then 'met'
        when due_date < as_of_month then 'off_track'
        when projected_date <= due_date then 'on_track'
        when projected_date <= cast({{ dbt.dateadd('month', 6, 'due_date') }} as date) then 'at_risk'
        else 'off_track'
    end as status
from projected
