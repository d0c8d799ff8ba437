{#- One row per case (its latest version), with the item's limits as valid when the clock
    started and the working-day arithmetic of the metric dictionary (Administrative Licensing
    Law art. 42/82: limits in working days, the acceptance day itself not counted):
    - elapsed working days = working days after the acceptance date up to the completion date,
      net of legal suspension;
    - the deadline is the end of the N-th working day after the acceptance date, moved by the
      suspended working days; an instant item (N = 0) is due on the accepting working day (the
      next working day when accepted on a day off);
    - on time when completed on or before the deadline, which for acceptance on a working day
      is exactly elapsed <= promised limit.
    The deadline comes from the case itself when the export carries one (deadline_source):
    its due timestamp (case_due_at, compared to the second; ingestion reads a due date
    without a time as the end of that day), else its own limit (case_limit, in working days as
    above or in calendar days from the clock start), else the catalogue's promised limit
    (catalogue_limit). A case with none of them (an item not in the catalogue, a catalogue
    without limits) has no deadline ('none'): is_on_time is null, outside the on-time rate,
    and counted by the deadline coverage metric, never late by default.
    A region or department missing or not in its dimension is the unknown member
    (var unknown_member_code), so that every roll-up still sums to the city; the region as
    exported stays in reported_region_code.
    The latest version of a case wins: the latest updated_at, then the latest load (older
    versions stay in raw as history). Only cases delivered more than once are ranked: most
    cases arrive once, and ranking every version would cost a sort of the whole case log.
    Incremental: a run ranks only the versions loaded since the last run; a case's best new
    version replaces the stored row unless the stored one ranks before it (every stored version
    was loaded before every new one, so only a later version time keeps it, or a missing one
    on the new version: nulls rank last). Every stored case whose clock started on or after a
    newly loaded catalogue snapshot is recomputed from its stored row (its limits may have
    changed). The version selection lives here rather than in an intermediate table: writing
    and re-reading every case's latest version was a third of the full build.
    _watermark (the latest source load the row reflects) lets downstream marts find the rows
    a run touched without comparing clocks. -#}

{{
    config(
        materialized='incremental',
        unique_key='case_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{#- the version columns the fact carries (the applicant key is kept; the name and phone hashes
    stay in raw and staging) -#}
{%- set case_columns = [
    'case_id', 'item_code', 'department_code', 'region_code', 'applicant_type', 'applicant_id',
    'channel', 'is_assisted_online', 'hall_code', 'submitted_at', 'accepted_at', 'completed_at',
    'withdrawn_at', 'case_status', 'decision', 'suspended_working_days', 'case_due_at',
    'case_limit_days', 'case_limit_day_kind', 'trips',
    'result_delivery', 'rating', 'rated_at', 'is_default_rating', 'rectified_at', 'updated_at',
    '_loaded_at'
] -%}

{%- set version_order -%}
    updated_at desc, _loaded_at desc, _source_file desc
{%- endset %}

{% if is_incremental() %}
{#- read before the run, as literals, so that the scans below skip what was loaded before -#}
{%- set previous_watermark = stored_watermark(this, '_watermark') -%}
{%- set first_new_snapshot = none -%}
{%- if execute -%}
    {%- set first_new_snapshot = run_query(
        'select cast(min(snapshot_date) as ' ~ dbt.type_string() ~ ') from '
        ~ ref('stg_catalogue__service_items') ~ ' where _loaded_at > ' ~ previous_watermark
    ).columns[0].values()[0] -%}
{%- endif %}
{% endif %}

with source_watermark as (

    select max(_loaded_at) as _watermark
    from (
        select _loaded_at from {{ ref('stg_case_platform__case_logs') }}
        union all
        select _loaded_at from {{ ref('stg_catalogue__service_items') }}
    ) as loads

),

{% if is_incremental() %}
new_versions as (

    select {{ case_columns | join(', ') }}, _source_file
    from {{ ref('stg_case_platform__case_logs') }}
    where _loaded_at > {{ previous_watermark }}

),

ranked_new_versions as (

    select
        new_versions.*,
        row_number() over (partition by case_id order by {{ version_order }}) as version_rank
    from new_versions

),

-- the version time of the stored rows of these cases (only that: whole rows would cost more
-- to read than everything else here)
stored_versions as (

    select case_id, updated_at
    from {{ this }}
    where case_id in (select case_id from new_versions)

),

newer_versions as (

    select {% for column in case_columns %}ranked_new_versions.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
    from ranked_new_versions
    left join stored_versions
        on ranked_new_versions.case_id = stored_versions.case_id
    where ranked_new_versions.version_rank = 1
        and not coalesce(
            stored_versions.updated_at > ranked_new_versions.updated_at
            or (
                ranked_new_versions.updated_at is null
                and stored_versions.updated_at is not null
            ),
            false
        )

),

cases as (

    select * from newer_versions
    {%- if first_new_snapshot is not none %}
    union all
    select {{ case_columns | join(', ') | replace('region_code', 'reported_region_code as region_code') }}
    from {{ this }}
    where cast(coalesce(accepted_at, submitted_at) as date) >= cast('{{ first_new_snapshot }}' as date)
        and case_id not in (select case_id from newer_versions)
    {%- endif %}

),
{% else %}
cases_delivered_more_than_once as (

    select case_id
    from {{ ref('stg_case_platform__case_logs') }}
    group by case_id
    having count(*) > 1

),

ranked_repeated_versions as (

    select
        {{ case_columns | join(', ') }},
        row_number() over (partition by case_id order by {{ version_order }}) as version_rank
    from {{ ref('stg_case_platform__case_logs') }}
    where case_id in (select case_id from cases_delivered_more_than_once)

),

cases as (

    select {{ case_columns | join(', ') }}
    from {{ ref('stg_case_platform__case_logs') }}
    where case_id not in (select case_id from cases_delivered_more_than_once)
    union all
    select {{ case_columns | join(', ') }}
    from ranked_repeated_versions
    where version_rank = 1

),
{% endif %}

snapshot_for_date as (

    select * from {{ ref('int_catalogue__snapshot_for_date') }}

),

item_snapshots as (

    select * from {{ ref('int_service_items__classified') }}

),

calendar_days as (

    select * from {{ ref('dim_date') }}

),

working_days as (

    select calendar_date, workday_seq from calendar_days where is_workday

),

cases_dated as (

    select
        cases.*,
        cast(submitted_at as date) as submission_date,
        cast(accepted_at as date) as acceptance_date,
        cast(completed_at as date) as completion_date,
        cast(coalesce(accepted_at, submitted_at) as date) as clock_start_date
    from cases

),

regions as (

    select region_code from {{ ref('dim_region') }}

),

departments as (

    select department_code from {{ ref('dim_department') }}

),

cases_with_item as (

    select
        cases_dated.*,
        case
            when cases_dated.region_code in (select region_code from regions)
                then cases_dated.region_code
            else '{{ var("unknown_member_code") }}'
        end as known_region_code,
        case
            when cases_dated.department_code in (select department_code from departments)
                then cases_dated.department_code
            else '{{ var("unknown_member_code") }}'
        end as known_department_code,
        item_snapshots.item_code is not null as is_item_in_catalogue,
        item_snapshots.item_type,
        item_snapshots.depth_level as item_depth_level,
        item_snapshots.required_trips as item_required_trips,
        item_snapshots.legal_limit_days,
        item_snapshots.promised_limit_days,
        item_snapshots.is_zero_trip_item,
        case
            when cases_dated.case_due_at is not null then 'case_due_at'
            when cases_dated.case_limit_days is not null then 'case_limit'
            when item_snapshots.promised_limit_days is not null then 'catalogue_limit'
            else 'none'
        end as deadline_source,
        -- the working-day limit the deadline counts, when it is one
        case
            when cases_dated.case_due_at is not null then null
            when cases_dated.case_limit_days is not null
                then case
                    when cases_dated.case_limit_day_kind <> 'calendar'
                        or cases_dated.case_limit_day_kind is null
                        then cases_dated.case_limit_days
                end
            else item_snapshots.promised_limit_days
        end as limit_working_days
    from cases_dated
    left join snapshot_for_date
        on cases_dated.clock_start_date = snapshot_for_date.calendar_date
    left join item_snapshots
        on snapshot_for_date.catalogue_snapshot_date = item_snapshots.snapshot_date
        and cases_dated.item_code = item_snapshots.item_code

),

cases_with_working_days as (

    select
        cases_with_item.*,
        acceptance_day.workday_seq as acceptance_workday_seq,
        acceptance_day.workday_seq_from as first_clock_workday_seq,
        completion_day.workday_seq as completion_workday_seq,
        greatest(
            acceptance_day.workday_seq + cases_with_item.limit_working_days,
            acceptance_day.workday_seq_from
        ) + cases_with_item.suspended_working_days as due_workday_seq,
        -- yellow once the used share of the limit reaches the threshold (net of suspension)
        acceptance_day.workday_seq
        + cases_with_item.suspended_working_days
        + cast(ceil({{ var('yellow_alert_threshold') }} * cases_with_item.limit_working_days) as integer)
            as yellow_workday_seq,
        rating_day.workday_seq
        + {{ var('bad_rating_rectification_days') }} as rectification_due_workday_seq
    from cases_with_item
    left join calendar_days as acceptance_day
        on cases_with_item.acceptance_date = acceptance_day.calendar_date
    left join calendar_days as completion_day
        on cases_with_item.completion_date = completion_day.calendar_date
    left join calendar_days as rating_day
        on cast(cases_with_item.rated_at as date) = rating_day.calendar_date

),

cases_measured as (

    select
        cases_with_working_days.*,
        case deadline_source
            when 'case_due_at' then cast(case_due_at as date)
            when 'none' then null
            else case
                when deadline_source = 'case_limit' and case_limit_day_kind = 'calendar'
                    then cast({{ dbt.dateadd('day', 'case_limit_days', 'clock_start_date') }} as date)
                else due_day.calendar_date
            end
        end as due_date,
        yellow_day.calendar_date as yellow_workday_date,
        rectification_due_day.calendar_date as rectification_due_date,
        -- the day a case leaves the backlog (not open at 24:00 of that day)
        coalesce(
            cases_with_working_days.completion_date,
            cast(cases_with_working_days.withdrawn_at as date)
        ) as closing_date,
        case
            when case_status = 'completed'
                and completion_workday_seq is not null
                and acceptance_workday_seq is not null
                then greatest(completion_workday_seq - acceptance_workday_seq, 0)
        end as gross_working_days,
        case
            when case_status = 'completed'
                and completion_workday_seq is not null
                and acceptance_workday_seq is not null
                then greatest(
                    completion_workday_seq - acceptance_workday_seq - suspended_working_days, 0
                )
        end as elapsed_working_days
    from cases_with_working_days
    left join working_days as due_day
        on cases_with_working_days.due_workday_seq = due_day.workday_seq
    left join working_days as yellow_day
        on cases_with_working_days.yellow_workday_seq = yellow_day.workday_seq
    left join working_days as rectification_due_day
        on cases_with_working_days.rectification_due_workday_seq = rectification_due_day.workday_seq
),

cases_with_alerts as (

    select
        cases_measured.*,
        -- alert dates, kept only when the case was still open at 24:00 of that day
        case
            when acceptance_date is not null
                then greatest(yellow_workday_date, acceptance_date)
        end as yellow_candidate_date,
        cast({{ dbt.dateadd('day', 1, 'due_date') }} as date) as red_candidate_date
    from cases_measured

)

select
    case_id,
    item_code,
    known_department_code as department_code,
    known_region_code as region_code,
    region_code as reported_region_code,
    hall_code,
    channel,
    -- assisted online filing (帮办代办) counts as online
    channel in {{ sql_string_list(var('online_channels')) }} or is_assisted_online
        as is_online_submission,
    is_assisted_online,
    applicant_type,
    applicant_id,
    case_status,
    decision,
    submitted_at,
    accepted_at,
    completed_at,
    withdrawn_at,
    submission_date,
    acceptance_date,
    completion_date,
    {{ month_start('completion_date') }} as completion_month,
    is_item_in_catalogue,
    item_type,
    item_depth_level,
    item_required_trips,
    legal_limit_days,
    promised_limit_days,
    promised_limit_days = 0 as is_instant_item,
    suspended_working_days,
    deadline_source,
    case_due_at,
    case_limit_days,
    case_limit_day_kind,
    due_date,
    gross_working_days,
    elapsed_working_days,
    -- completed = decided (approved or refused); refusals to accept and withdrawals are not.
    case_status = 'completed' as is_completed,
    case
        when case_status <> 'completed' or deadline_source = 'none' then null
        when deadline_source = 'case_due_at' then completed_at <= case_due_at
        when deadline_source = 'case_limit' and case_limit_day_kind = 'calendar'
            then completion_date <= due_date
        -- a working-day limit counts from acceptance: never accepted, no verdict
        when acceptance_workday_seq is null then null
        else coalesce(completion_workday_seq <= due_workday_seq, false)
    end as is_on_time,
    -- without an acceptance time there is no accepting working day: no verdict (the export
    -- does not say), rather than "not instant"
    case
        when case_status = 'completed' and first_clock_workday_seq is not null
            then coalesce(completion_workday_seq <= first_clock_workday_seq, false)
    end as is_completed_same_workday,
    trips,
    trips <= 1 as is_one_trip,
    trips = 0 as is_zero_trip,
    is_zero_trip_item,
    result_delivery,
    rating,
    rated_at,
    is_default_rating,
    rectified_at,
    closing_date,
    case
        when yellow_candidate_date < coalesce(closing_date, {{ dbt.dateadd('day', 1, 'yellow_candidate_date') }})
            and yellow_candidate_date < red_candidate_date
            then yellow_candidate_date
    end as yellow_alert_date,
    case
        when red_candidate_date < coalesce(closing_date, {{ dbt.dateadd('day', 1, 'red_candidate_date') }})
            then red_candidate_date
    end as red_alert_date,
    rating is not null and not is_default_rating as is_rated,
    case when not is_default_rating then rating >= 4 end as is_satisfied_rating,
    case when not is_default_rating then rating <= 2 end as is_bad_rating,
    case when rating <= 2 and not is_default_rating then rectification_due_date end
        as rectification_due_date,
    case
        when rating <= 2 and not is_default_rating
            then coalesce(cast(rectified_at as date) <= rectification_due_date, false)
    end as is_rectified_on_time,
    updated_at,
    _loaded_at,
    (select _watermark from source_watermark) as _watermark
from cases_with_alerts
