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

{#- Alerts at 24:00 of each report week's last day (Sunday), as the weekly bulletin lists
    them: cases open by then (macro case_open_since) and still open then, with a yellow (close to the deadline) or
    red (past it) alert raised by then, at the level they had that night. One row per week and
    case, with the case's district (county; the city's own cases under the city) and working
    days overdue (red: from the due day to the week's last day) or left (yellow: to the due
    day). `alert_level` picks 'red' or 'yellow'. Shared by the weekly overdue and yellow marts. -#}
{% macro alert_cases_at_week_end(alert_level) -%}
    with alerted_cases as (

        -- only cases that ever turned yellow (or red) can be on alert at a week's end
        select case_id, item_code, department_code, region_code, acceptance_date, submission_date,
            closing_date, due_date, yellow_alert_date, red_alert_date
        from {{ ref('fct_cases') }}
        where {{ 'red_alert_date' if alert_level == 'red' else 'yellow_alert_date' }} is not null

    ),

    weeks as (

        {{ report_weeks('select min(' ~ ('red_alert_date' if alert_level == 'red' else 'yellow_alert_date') ~ ') from ' ~ ref('fct_cases')) }}

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
        coalesce(regions.county_code, regions.city_code, regions.region_code) as county_code,
        cases.due_date,
        {%- if alert_level == 'red' %}
        week_end_day.workday_seq - due_day.workday_seq as working_days_overdue
        {%- else %}
        due_day.workday_seq - week_end_day.workday_seq as working_days_left
        {%- endif %}
    from alerted_cases as cases
    inner join weeks
        {%- if alert_level == 'red' %}
        on cases.red_alert_date <= weeks.week_end
        {%- else %}
        on cases.yellow_alert_date <= weeks.week_end
        and (cases.red_alert_date is null or cases.red_alert_date > weeks.week_end)
        {%- endif %}
        and {{ case_open_since('cases') }} <= weeks.week_end
        and (cases.closing_date is null or cases.closing_date > weeks.week_end)
    inner join {{ ref('dim_department') }} as departments
        on cases.department_code = departments.department_code
    -- every case has a region (unknown member included: fct_cases' relationship test)
    left join {{ ref('dim_region') }} as regions
        on cases.region_code = regions.region_code
    left join current_items
        on cases.item_code = current_items.item_code
    inner join {{ ref('dim_date') }} as due_day
        on cases.due_date = due_day.calendar_date
    inner join {{ ref('dim_date') }} as week_end_day
        on weeks.week_end = week_end_day.calendar_date
{%- endmacro %}

{#- Red alerts at 24:00 of each report week's last day: alert_cases_at_week_end('red'). -#}
{% macro overdue_cases_at_week_end() -%}
    {{ alert_cases_at_week_end('red') }}
{%- endmacro %}

{#- The outbox summary of one kind of unit ('department' or 'district'): one row per unit with
    open alerts (red, yellow, new today — not reported at that level on an earlier day —,
    already sent, worst overdue), ranked red first, then yellow, then name; then one 合计 row,
    the totals of the unit rows (present on a day without alerts too, with zeros). The outbox
    writes it as it stands (`order by summary_rank`). -#}
{% macro supervision_outbox_summary(unit) -%}
with outbox as (

    select * from {{ ref('mart_supervision_outbox') }}

),

as_of as (

    -- the alert list's day, also on a day without alerts; none (so no rows) without case logs
    select last_data_date as as_of_date
    from {{ ref('mart_data_freshness') }}
    where source_name = 'case_logs' and last_data_date is not null

),

unit_counts as (

    select
        {{ unit }}_code,
        {{ unit }}_name,
        count(*) as alerts,
        count(*) filter (where alert_level = 'red') as red_alerts,
        count(*) filter (where alert_level = 'yellow') as yellow_alerts,
        count(*) filter (where is_new) as new_alerts,
        count(*) filter (where alert_level = 'red' and is_new) as new_red_alerts,
        count(*) filter (where alert_level = 'yellow' and is_new) as new_yellow_alerts,
        count(*) filter (where not is_new) as already_sent_alerts,
        max(working_days_overdue) as worst_working_days_overdue
    from outbox
    group by {{ unit }}_code, {{ unit }}_name

),

unit_rows as (

    select
        false as is_total,
        row_number() over (
            order by red_alerts desc, yellow_alerts desc, {{ unit }}_name, {{ unit }}_code
        ) as unit_rank,
        *
    from unit_counts

),

total_row as (

    -- sums over the unit rows (an aggregate without group by: one row, also without units)
    select
        true as is_total,
        cast(null as bigint) as unit_rank,
        cast(null as varchar) as {{ unit }}_code,
        '合计' as {{ unit }}_name,
        coalesce(sum(alerts), 0) as alerts,
        coalesce(sum(red_alerts), 0) as red_alerts,
        coalesce(sum(yellow_alerts), 0) as yellow_alerts,
        coalesce(sum(new_alerts), 0) as new_alerts,
        coalesce(sum(new_red_alerts), 0) as new_red_alerts,
        coalesce(sum(new_yellow_alerts), 0) as new_yellow_alerts,
        coalesce(sum(already_sent_alerts), 0) as already_sent_alerts,
        max(worst_working_days_overdue) as worst_working_days_overdue
    from unit_rows

),

summary_rows as (

    select * from unit_rows
    union all by name
    select * from total_row

)

select
    as_of.as_of_date,
    row_number() over (order by summary_rows.is_total, summary_rows.unit_rank) as summary_rank,
    summary_rows.is_total,
    summary_rows.{{ unit }}_code,
    summary_rows.{{ unit }}_name,
    cast(summary_rows.red_alerts as bigint) as red_alerts,
    cast(summary_rows.yellow_alerts as bigint) as yellow_alerts,
    cast(summary_rows.new_alerts as bigint) as new_alerts,
    cast(summary_rows.new_red_alerts as bigint) as new_red_alerts,
    cast(summary_rows.new_yellow_alerts as bigint) as new_yellow_alerts,
    cast(summary_rows.already_sent_alerts as bigint) as already_sent_alerts,
    cast(summary_rows.alerts as bigint) as alerts,
    summary_rows.worst_working_days_overdue
from summary_rows
cross join as_of
{%- endmacro %}


{#- The day a case is open from, for the alerts: its acceptance (受理), or its submission when the
    export records no acceptance time (a 311 log's case is open from the day it was opened). A
    case whose deadline is known (its own due time) is then on alert like any other. -#}
{% macro case_open_since(alias) -%}
    coalesce({{ alias }}.acceptance_date, {{ alias }}.submission_date)
{%- endmacro %}
