{#- 电子监察 — the open cases on yellow or red alert at the end of the data's last day (the
    as-of date): red = past the deadline, yellow = at least the threshold share of the limit
    used. One row per case with the item, department, region and how far past due it is. A
    case is open from its acceptance, or its submission when the export has no acceptance time
    (macro case_open_since). -#}

with cases as (

    select * from {{ ref('fct_cases') }}

),

as_of as (

    -- the last day of the case logs (a second reader of `cases` would make DuckDB
    -- materialize all of it)
    select last_data_date as as_of_date
    from {{ ref('int_cases__data_days') }}

),

calendar_days as (

    select calendar_date, workday_seq from {{ ref('dim_date') }}

),

open_alerts as (

    select
        cases.*,
        as_of.as_of_date,
        case
            when cases.red_alert_date <= as_of.as_of_date then 'red'
            else 'yellow'
        end as alert_level
    from cases
    cross join as_of
    where {{ case_open_since('cases') }} <= as_of.as_of_date
        and (cases.closing_date is null or cases.closing_date > as_of.as_of_date)
        and (
            cases.red_alert_date <= as_of.as_of_date
            or cases.yellow_alert_date <= as_of.as_of_date
        )

),

current_items as (

    select item_code, item_name from {{ ref('dim_service_item') }} where is_current

)

select
    open_alerts.as_of_date,
    open_alerts.case_id,
    open_alerts.alert_level,
    case when open_alerts.alert_level = 'red' then '红牌' else '黄牌' end as alert_level_zh,
    case
        when open_alerts.alert_level = 'red' then open_alerts.red_alert_date
        else open_alerts.yellow_alert_date
    end as alert_raised_on,
    open_alerts.item_code,
    current_items.item_name,
    open_alerts.department_code,
    departments.department_name,
    open_alerts.region_code,
    regions.region_name,
    regions.county_code,
    open_alerts.channel,
    open_alerts.accepted_at,
    open_alerts.promised_limit_days,
    open_alerts.suspended_working_days,
    open_alerts.due_date,
    greatest(as_of_day.workday_seq - due_day.workday_seq, 0) as working_days_overdue,
    greatest(due_day.workday_seq - as_of_day.workday_seq, 0) as working_days_left
from open_alerts
left join current_items
    on open_alerts.item_code = current_items.item_code
left join {{ ref('dim_department') }} as departments
    on open_alerts.department_code = departments.department_code
left join {{ ref('dim_region') }} as regions
    on open_alerts.region_code = regions.region_code
left join calendar_days as as_of_day
    on open_alerts.as_of_date = as_of_day.calendar_date
left join calendar_days as due_day
    on open_alerts.due_date = due_day.calendar_date
