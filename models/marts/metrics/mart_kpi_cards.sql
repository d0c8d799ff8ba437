{#- The cockpit's KPI cards: for every metric the registry shows in the cockpit and every city,
    county and department, the figure of the city's latest month with data, with what a
    leader reads beside it — the month before and the change in percentage points, the target
    in force and the gap to it in points, and the rank among its peers (counties among
    counties, departments among departments; only units with at least
    var('ranking_min_cases') in the denominator, never the unknown member). A department is
    held to the city's target. -#}

with cockpit_metrics as (

    select metric_code, metric_name_zh, metric_name_en, higher_is_better, display_order
    from {{ ref('dim_metric') }}
    where shown_in_cockpit

),

monthly_values as (

    select metric_code, scope_type, scope_code, period_start, numerator, denominator, metric_value
    from {{ ref('mart_metric_values') }}
    where period_grain = 'month'
        and scope_type in ('city', 'county', 'department')

),

city as (

    select region_code as city_code, region_name as city_name
    from {{ ref('dim_region') }}
    where admin_level = 'city'

),

latest_months as (

    -- every scope's card shows the month the city's figure is latest for
    select metric_code, max(period_start) as period_start
    from monthly_values
    where scope_type = 'city' and denominator > 0
    group by metric_code

),

card_values as (

    select
        cockpit_metrics.metric_code,
        cockpit_metrics.metric_name_zh,
        cockpit_metrics.metric_name_en,
        cockpit_metrics.higher_is_better,
        cockpit_metrics.display_order,
        current_month.scope_type,
        current_month.scope_code,
        current_month.period_start,
        current_month.numerator,
        current_month.denominator,
        current_month.metric_value,
        previous_month.metric_value as previous_value
    from cockpit_metrics
    inner join latest_months
        on cockpit_metrics.metric_code = latest_months.metric_code
    inner join monthly_values as current_month
        on latest_months.metric_code = current_month.metric_code
        and latest_months.period_start = current_month.period_start
    left join monthly_values as previous_month
        on current_month.metric_code = previous_month.metric_code
        and current_month.scope_type = previous_month.scope_type
        and current_month.scope_code = previous_month.scope_code
        and previous_month.period_start
        = cast({{ dbt.dateadd('month', -1, 'current_month.period_start') }} as date)

),

scoped_cards as (

    select
        card_values.*,
        coalesce(regions.region_name, departments.department_name) as scope_name,
        case
            when card_values.scope_type = 'department' then city.city_code
            else coalesce(regions.county_code, regions.region_code)
        end as county_code,
        case
            when card_values.scope_type = 'department' then city.city_code
            else card_values.scope_code
        end as target_region_code
    from card_values
    cross join city
    left join {{ ref('dim_region') }} as regions
        on card_values.scope_type in ('city', 'county')
        and card_values.scope_code = regions.region_code
    left join {{ ref('dim_department') }} as departments
        on card_values.scope_type = 'department'
        and card_values.scope_code = departments.department_code

),

targets_in_force as (

    -- the target of the card's month: the first due in or after it, else the last one due
    select
        scoped_cards.metric_code,
        scoped_cards.scope_type,
        scoped_cards.scope_code,
        targets.target_value,
        targets.due_date,
        row_number() over (
            partition by scoped_cards.metric_code, scoped_cards.scope_type, scoped_cards.scope_code
            order by {{ target_in_force_order('targets.due_date', 'scoped_cards.period_start') }}
        ) as target_order
    from scoped_cards
    inner join {{ ref('mart_target_progress') }} as targets
        on scoped_cards.metric_code = targets.metric_code
        and scoped_cards.target_region_code = targets.region_code

),

rankable as (

    select
        metric_code,
        scope_type,
        scope_code,
        rank() over (
            partition by metric_code, scope_type
            order by
                round(case when higher_is_better then metric_value else -metric_value end, 9) desc
        ) as scope_rank,
        count(*) over (partition by metric_code, scope_type) as scope_units
    from scoped_cards
    where scope_type in ('county', 'department')
        and scope_code <> '{{ var("unknown_member_code") }}'
        and metric_value is not null
        and denominator >= {{ var('ranking_min_cases') }}

)

select
    scoped_cards.metric_code,
    scoped_cards.metric_name_zh,
    scoped_cards.metric_name_en,
    scoped_cards.higher_is_better,
    scoped_cards.display_order,
    scoped_cards.scope_type,
    scoped_cards.scope_code,
    scoped_cards.scope_name,
    scoped_cards.county_code,
    scoped_cards.period_start,
    scoped_cards.numerator,
    scoped_cards.denominator,
    scoped_cards.metric_value,
    scoped_cards.previous_value,
    (scoped_cards.metric_value - scoped_cards.previous_value) * 100 as change_points,
    targets_in_force.target_value,
    targets_in_force.due_date as target_due_date,
    (scoped_cards.metric_value - targets_in_force.target_value) * 100 as gap_points,
    case
        when scoped_cards.higher_is_better
            then scoped_cards.metric_value >= targets_in_force.target_value
        else scoped_cards.metric_value <= targets_in_force.target_value
    end as is_target_met,
    cast(rankable.scope_rank as integer) as scope_rank,
    cast(rankable.scope_units as integer) as scope_units
from scoped_cards
left join targets_in_force
    on scoped_cards.metric_code = targets_in_force.metric_code
    and scoped_cards.scope_type = targets_in_force.scope_type
    and scoped_cards.scope_code = targets_in_force.scope_code
    and targets_in_force.target_order = 1
left join rankable
    on scoped_cards.metric_code = rankable.metric_code
    and scoped_cards.scope_type = rankable.scope_type
    and scoped_cards.scope_code = rankable.scope_code
