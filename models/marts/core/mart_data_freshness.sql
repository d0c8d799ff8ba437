{#- How far each source reaches: the one place the warehouse says what its data is "as of".
    One row per source (case_logs, hall_tickets, service_items, consultations, hotline_calls,
    service_guides)
    with the last day it has data for and its row count. Every row also carries the city-level
    as_of_date (the earliest last day of the daily activity sources the city loads — case
    logs, hall tickets, consultation orders, hotline calls: a report built on them is complete
    up to it; a source without data does not hold it back), and the
    case_logs row carries the other case-log days that models and reports date themselves by
    (null on the other rows): the last day an accepted case changed (the backlog's last day),
    the last completion day, the last submission day. -#}

with case_log_days as (

    select * from {{ ref('int_cases__data_days') }}

),

hall_ticket_days as (

    select
        min(ticket_date) as first_data_date,
        max(ticket_date) as last_data_date,
        count(*) as row_count
    from {{ ref('fct_hall_tickets') }}

),

catalogue_days as (

    select
        min(snapshot_date) as first_data_date,
        max(snapshot_date) as last_data_date,
        count(*) as row_count
    from {{ ref('stg_catalogue__service_items') }}

),

consultation_days as (

    select
        min(received_date) as first_data_date,
        max(_as_of_date) as last_data_date,
        count(*) as row_count
    from {{ ref('fct_consultations') }}

),

hotline_call_days as (

    select
        min(offered_date) as first_data_date,
        max(offered_date) as last_data_date,
        count(*) as row_count
    from {{ ref('fct_hotline_calls') }}

),

guide_days as (

    select
        min(published_date) as first_data_date,
        max(published_date) as last_data_date,
        count(*) as row_count
    from {{ ref('fct_service_guides') }}

),

city_as_of as (

    -- the earliest of the daily sources that have data (least skips nulls on DuckDB, Spark
    -- and Postgres alike); null only when none has any
    select
        least(
            case_log_days.last_data_date,
            hall_ticket_days.last_data_date,
            consultation_days.last_data_date,
            hotline_call_days.last_data_date
        ) as as_of_date
    from case_log_days
    cross join hall_ticket_days
    cross join consultation_days
    cross join hotline_call_days

),

sources as (

    select
        'case_logs' as source_name,
        'fct_cases' as source_model,
        first_data_date,
        last_data_date,
        row_count,
        last_accepted_case_update_date,
        last_completion_date,
        last_submission_date
    from case_log_days
    union all
    select
        'hall_tickets',
        'fct_hall_tickets',
        first_data_date,
        last_data_date,
        row_count,
        cast(null as date),
        cast(null as date),
        cast(null as date)
    from hall_ticket_days
    union all
    select
        'service_items',
        'stg_catalogue__service_items',
        first_data_date,
        last_data_date,
        row_count,
        cast(null as date),
        cast(null as date),
        cast(null as date)
    from catalogue_days
    union all
    select
        'consultations',
        'fct_consultations',
        first_data_date,
        last_data_date,
        row_count,
        cast(null as date),
        cast(null as date),
        cast(null as date)
    from consultation_days
    union all
    select
        'hotline_calls',
        'fct_hotline_calls',
        first_data_date,
        last_data_date,
        row_count,
        cast(null as date),
        cast(null as date),
        cast(null as date)
    from hotline_call_days
    union all
    select
        'service_guides',
        'fct_service_guides',
        first_data_date,
        last_data_date,
        row_count,
        cast(null as date),
        cast(null as date),
        cast(null as date)
    from guide_days

)

select
    sources.source_name,
    sources.source_model,
    sources.first_data_date,
    sources.last_data_date,
    cast(sources.row_count as bigint) as row_count,
    city_as_of.as_of_date,
    sources.last_accepted_case_update_date,
    sources.last_completion_date,
    sources.last_submission_date
from sources
cross join city_as_of
