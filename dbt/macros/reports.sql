{#- The weeks the report marts cover: every ISO week (Monday–Sunday, from dim_date) from the
    week of `first_day_sql` through the week holding the case logs' last day (the bulletin
    refuses weeks the data does not cover yet, so no later week is needed). -#}
{% macro report_weeks(first_day_sql) -%}
    select distinct calendar_days.week_start, calendar_days.week_end
    from {{ ref('dim_date') }} as calendar_days
    where calendar_days.week_end >= ({{ first_day_sql }})
        and calendar_days.week_start <= (
            select last_data_date from {{ ref('mart_data_freshness') }}
            where source_name = 'case_logs'
        )
{%- endmacro %}

{#- Red alerts at 24:00 of each report week's last day (Sunday), as the weekly bulletin lists
    them: accepted by then, still open then, past the deadline by then. One row per week and
    case; working days overdue counted from the due day to the week's last day. Shared by
    mart_weekly_overdue_cases and mart_weekly_overdue_by_department. -#}
{% macro overdue_cases_at_week_end() -%}
    with red_alert_cases as (

        -- only cases that ever turned red can be overdue at a week's end
        select case_id, item_code, department_code, acceptance_date, closing_date, due_date,
            red_alert_date
        from {{ ref('fct_cases') }}
        where red_alert_date is not null

    ),

    weeks as (

        {{ report_weeks('select min(red_alert_date) from ' ~ ref('fct_cases')) }}

    ),

    current_items as (

        select item_code, item_name from {{ ref('dim_service_item') }} where is_current

    )

    select
        weeks.week_start,
        weeks.week_end,
        cases.case_id,
        cases.department_code,
        current_items.item_name,
        departments.department_name,
        cases.due_date,
        week_end_day.workday_seq - due_day.workday_seq as working_days_overdue
    from red_alert_cases as cases
    inner join weeks
        on cases.red_alert_date <= weeks.week_end
        and cases.acceptance_date <= weeks.week_end
        and (cases.closing_date is null or cases.closing_date > weeks.week_end)
    inner join {{ ref('dim_department') }} as departments
        on cases.department_code = departments.department_code
    left join current_items
        on cases.item_code = current_items.item_code
    inner join {{ ref('dim_date') }} as due_day
        on cases.due_date = due_day.calendar_date
    inner join {{ ref('dim_date') }} as week_end_day
        on weeks.week_end = week_end_day.calendar_date
{%- endmacro %}
