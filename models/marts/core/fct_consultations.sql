{#- One row per work order of the 12345 hotline and the message board (its latest version),
    with the working-day arithmetic of the reply and closure limits. Working days come from
    dim_date (the calendar seed); the received day itself is not counted:
    - reply_working_days: working days from the received day to the first reply, a reply on
      a day off counting as the next working day (0 for a reply on the received day). So
      reply_working_days <= N exactly when the first reply came by the end (24:00) of the
      N-th working day after the received day;
    - replied_within_5_working_days: the seed's measure (var consultation_reply_measure_days
      = 5): first reply by the end of the 5th working day after the received day;
    - replied_within_limit: first reply by reply_due_at, the order's own due time when the
      export carries one, else the end of the N-th working day after the received day, N
      the order's own limit, else the city's (var consultation_reply_limit_days);
    - closed_on_time: closed by close_due_at, built the same way (var
      consultation_close_limit_days).
    The booleans are null while undecidable: an order not yet answered before its deadline
    has passed (as of _as_of_date, the last day the export has data for), and a withdrawn
    order without a reply (nobody waits for it). An order closed without any reply is
    unanswered for good (false). A department or region missing or not in its dimension is
    the unknown member (var unknown_member_code); the exported codes stay in
    reported_department_code / reported_region_code.
    Incremental: a run takes the versions loaded since the last run; an order's best new
    version replaces the stored row unless the stored one has a later version time. Every
    stored open order is recomputed too (its deadlines may have passed since: as_of_date
    moved). _watermark is the latest load the row reflects. -#}

{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{%- set order_columns = [
    'order_id', 'channel', 'kind', 'item_code', 'department_code', 'region_code', 'subject',
    'received_at', 'assigned_at', 'first_reply_at', 'closed_at', 'callback_at', 'transfers',
    'order_status', 'order_reply_due_at', 'order_reply_limit_days', 'order_close_due_at',
    'order_close_limit_days', 'rating', 'is_callback_reached', 'is_solved', 'updated_at',
    '_loaded_at'
] -%}

{%- set version_order -%}
    updated_at desc, _loaded_at desc, _source_file desc
{%- endset %}

with source_watermark as (

    select
        max(_loaded_at) as _watermark,
        max(cast(updated_at as date)) as as_of_date
    from {{ ref('stg_hotline__consultations') }}

),

{% if is_incremental() %}
{%- set previous_watermark = stored_watermark(this, '_watermark') %}
new_versions as (

    select {{ order_columns | join(', ') }}, _source_file
    from {{ ref('stg_hotline__consultations') }}
    where _loaded_at > {{ previous_watermark }}

),

ranked_new_versions as (

    select
        new_versions.*,
        row_number() over (partition by order_id order by {{ version_order }}) as version_rank
    from new_versions

),

stored_versions as (

    select order_id, updated_at
    from {{ this }}
    where order_id in (select order_id from new_versions)

),

newer_versions as (

    select {% for column in order_columns %}ranked_new_versions.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
    from ranked_new_versions
    left join stored_versions
        on ranked_new_versions.order_id = stored_versions.order_id
    where ranked_new_versions.version_rank = 1
        and not coalesce(stored_versions.updated_at > ranked_new_versions.updated_at, false)

),

orders as (

    select * from newer_versions
    union all
    -- open orders stored before: their deadlines may have passed since
    select
        {{ order_columns | join(', ')
            | replace('department_code', 'reported_department_code as department_code')
            | replace('region_code', 'reported_region_code as region_code')
            | replace('order_status', 'status as order_status')
            | replace('is_callback_reached', 'callback_reached as is_callback_reached')
            | replace('is_solved', 'solved as is_solved') }}
    from {{ this }}
    where is_open
        and order_id not in (select order_id from newer_versions)

),
{% else %}
ranked_versions as (

    select
        {{ order_columns | join(', ') }},
        row_number() over (partition by order_id order by {{ version_order }}) as version_rank
    from {{ ref('stg_hotline__consultations') }}

),

orders as (

    select {{ order_columns | join(', ') }}
    from ranked_versions
    where version_rank = 1

),
{% endif %}

calendar_days as (

    select * from {{ ref('dim_date') }}

),

working_days as (

    select calendar_date, workday_seq from calendar_days where is_workday

),

regions as (

    select region_code from {{ ref('dim_region') }}

),

departments as (

    select department_code from {{ ref('dim_department') }}

),

orders_dated as (

    select
        orders.*,
        cast(received_at as date) as received_date,
        cast(first_reply_at as date) as first_reply_date,
        cast(closed_at as date) as closed_date,
        case
            when orders.region_code in (select region_code from regions)
                then orders.region_code
            else '{{ var("unknown_member_code") }}'
        end as known_region_code,
        case
            when orders.department_code in (select department_code from departments)
                then orders.department_code
            else '{{ var("unknown_member_code") }}'
        end as known_department_code,
        case
            when order_reply_due_at is not null then 'order_due_at'
            when order_reply_limit_days is not null then 'order_limit'
            else 'city_default'
        end as reply_deadline_source,
        case
            when order_reply_due_at is null
                then coalesce(order_reply_limit_days, {{ var('consultation_reply_limit_days') }})
        end as reply_limit_working_days,
        case
            when order_close_due_at is not null then 'order_due_at'
            when order_close_limit_days is not null then 'order_limit'
            else 'city_default'
        end as close_deadline_source,
        case
            when order_close_due_at is null
                then coalesce(order_close_limit_days, {{ var('consultation_close_limit_days') }})
        end as close_limit_working_days
    from orders

),

orders_with_working_days as (

    select
        orders_dated.*,
        received_day.workday_seq as received_workday_seq,
        case
            when orders_dated.first_reply_date = orders_dated.received_date then 0
            else reply_day.workday_seq_from - received_day.workday_seq
        end as reply_working_days,
        received_day.workday_seq + {{ var('consultation_reply_measure_days') }}
            as reply_measure_due_workday_seq,
        greatest(
            received_day.workday_seq + orders_dated.reply_limit_working_days,
            received_day.workday_seq_from
        ) as reply_due_workday_seq,
        greatest(
            received_day.workday_seq + orders_dated.close_limit_working_days,
            received_day.workday_seq_from
        ) as close_due_workday_seq
    from orders_dated
    left join calendar_days as received_day
        on orders_dated.received_date = received_day.calendar_date
    left join calendar_days as reply_day
        on orders_dated.first_reply_date = reply_day.calendar_date

),

orders_with_deadlines as (

    select
        orders_with_working_days.*,
        measure_due_day.calendar_date as reply_5wd_due_date,
        coalesce(
            order_reply_due_at, {{ end_of_day('reply_due_day.calendar_date') }}
        ) as reply_due_at,
        coalesce(
            order_close_due_at, {{ end_of_day('close_due_day.calendar_date') }}
        ) as close_due_at,
        (select as_of_date from source_watermark) as as_of_date
    from orders_with_working_days
    left join working_days as measure_due_day
        on orders_with_working_days.reply_measure_due_workday_seq = measure_due_day.workday_seq
    left join working_days as reply_due_day
        on orders_with_working_days.reply_due_workday_seq = reply_due_day.workday_seq
    left join working_days as close_due_day
        on orders_with_working_days.close_due_workday_seq = close_due_day.workday_seq

)

select
    order_id,
    channel,
    kind,
    item_code,
    known_department_code as department_code,
    known_region_code as region_code,
    department_code as reported_department_code,
    region_code as reported_region_code,
    subject,
    order_status as status,
    order_status not in ('closed', 'withdrawn') as is_open,
    received_at,
    received_date,
    assigned_at,
    first_reply_at,
    first_reply_date,
    closed_at,
    closed_date,
    callback_at,
    cast(callback_at as date) as callback_date,
    coalesce(transfers, 0) as transfers,
    rating,
    is_callback_reached as callback_reached,
    is_solved as solved,
    order_reply_due_at,
    order_reply_limit_days,
    order_close_due_at,
    order_close_limit_days,
    reply_deadline_source,
    reply_limit_working_days,
    reply_due_at,
    cast(reply_due_at as date) as reply_due_date,
    close_deadline_source,
    close_limit_working_days,
    close_due_at,
    cast(close_due_at as date) as close_due_date,
    reply_5wd_due_date,
    reply_working_days,
    case
        when first_reply_at is not null
            then reply_working_days <= {{ var('consultation_reply_measure_days') }}
        when order_status = 'withdrawn' then null
        when closed_at is not null then false
        when reply_5wd_due_date < as_of_date then false
    end as replied_within_5_working_days,
    case
        when first_reply_at is not null then first_reply_at <= reply_due_at
        when order_status = 'withdrawn' then null
        when closed_at is not null then false
        when cast(reply_due_at as date) < as_of_date then false
    end as replied_within_limit,
    case
        when closed_at is not null then closed_at <= close_due_at
        when order_status = 'withdrawn' then null
        when cast(close_due_at as date) < as_of_date then false
    end as closed_on_time,
    callback_at is not null as is_called_back,
    case when rating is not null then rating >= 4 end as is_satisfied_rating,
    as_of_date as _as_of_date,
    updated_at,
    _loaded_at,
    (select _watermark from source_watermark) as _watermark
from orders_with_deadlines
