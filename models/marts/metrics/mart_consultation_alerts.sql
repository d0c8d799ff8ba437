{#- Open work orders the supervision must chase, as of the last day of data (_as_of_date of
    fct_consultations), on the working-day calendar: red once the order's reply deadline
    (reply_due_at: its own, else the city's limit) has passed without a reply, yellow once
    the unanswered order has used var yellow_alert_threshold (80 %) of its reply limit in
    working days. working_days_used counts the working days after the received day up to
    the as-of day (the as-of day counted when it is a working day). An order is open while
    it is neither closed nor withdrawn; once replied to, it leaves the reply alerts. -#}

with orders as (

    select * from {{ ref('fct_consultations') }}

),

calendar_days as (

    select * from {{ ref('dim_date') }}

),

departments as (

    select department_code, department_name from {{ ref('dim_department') }}

),

unanswered as (

    select
        orders.*,
        -- an open order is recomputed by every run: its as-of day is the latest run's
        orders._as_of_date as as_of_date,
        as_of_day.workday_seq - received_day.workday_seq as working_days_used,
        due_day.workday_seq - received_day.workday_seq as limit_working_days
    from orders
    inner join calendar_days as received_day
        on orders.received_date = received_day.calendar_date
    inner join calendar_days as as_of_day
        on orders._as_of_date = as_of_day.calendar_date
    inner join calendar_days as due_day
        on orders.reply_due_date = due_day.calendar_date
    where orders.is_open
        and orders.first_reply_at is null

),

alerts as (

    select
        unanswered.*,
        case
            when reply_due_date < as_of_date then 'red'
            when working_days_used
                >= {{ var('yellow_alert_threshold') }} * limit_working_days
                then 'yellow'
        end as alert_level
    from unanswered

)

select
    alerts.order_id,
    alerts.department_code,
    coalesce(departments.department_name, alerts.department_code) as department_name,
    alerts.region_code,
    alerts.kind,
    alerts.channel,
    alerts.status,
    alerts.received_at,
    alerts.reply_due_at,
    alerts.limit_working_days,
    alerts.working_days_used,
    alerts.alert_level,
    alerts.as_of_date
from alerts
left join departments
    on alerts.department_code = departments.department_code
where alerts.alert_level is not null
